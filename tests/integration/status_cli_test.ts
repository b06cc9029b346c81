/**
 * `frappe-op status` against the real local control plane: a FrappeDeployment
 * reconciled by the operator's code (its queue Redis a real redis-server run
 * by the node agent, Frappe jobs pushed into it), then the CLI run both
 * in-process and as bin/frappe-op (the binary's exact permissions); and
 * `--redis-depth` reading a Redis directly.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { captureIo } from "../../cli/io.ts";
import { status, STATUS_EXIT } from "../../cli/status.ts";
import type { FdView } from "../../cli/status_view.ts";
import { queueKey, startedKey } from "../../apis/naming.ts";
import { KubeClusterView } from "../../loadtest/cluster.ts";
import { enqueueJobs } from "../../loadtest/enqueue.ts";
import { connectRedis } from "../../loadtest/redis.ts";
import { buildJob, TEST_JOB } from "../../loadtest/rqjob.ts";
import { startRedis } from "../loadtest/support.ts";
import {
  IDLE_WORKERS,
  keyOf,
  operatorTest,
  reconcileDeps,
  reconcileUntil,
  withQueueObserver,
} from "./operator_support.ts";
import { kubeconfigPath, kubectlOk, REPO_ROOT } from "../support/cluster.ts";

function deployment(ns: string) {
  return {
    apiVersion: "frappe-op.dev/v1alpha1",
    kind: "FrappeDeployment",
    metadata: {
      name: "erp",
      namespace: ns,
      annotations: { "frappe-op.dev/autoscaling-default": "false" },
    },
    spec: {
      sites: [{ name: "erp.example.com", apps: ["erpnext"] }],
      workers: {
        ...IDLE_WORKERS,
        short: { autoscaling: { enabled: true, minReplicas: 0, maxReplicas: 4 } },
        custom: [{ name: "reports", timeout: 600, replicas: 0 }],
      },
    },
  };
}

async function cli(args: string[]) {
  const io = captureIo({ env: { KUBECONFIG: kubeconfigPath() } });
  const code = await status(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

async function binary(args: string[]) {
  const out = await new Deno.Command(join(REPO_ROOT, "bin", "frappe-op"), {
    args: ["status", ...args],
    env: { KUBECONFIG: kubeconfigPath() },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, out: dec.decode(out.stdout), err: dec.decode(out.stderr) };
}

operatorTest("status CLI: shows the phase, workers and queue depths the operator wrote", {
  namespace: "status-cli",
}, async ({ client, transport, ns }) => {
  await client.apply(deployment(ns), { fieldManager: "test", force: true });
  const before = await cli(["-n", ns, "erp"]);
  assert.equal(before.code, STATUS_EXIT.ok, before.err);
  assert.match(before.out, new RegExp(`^${ns}/erp: phase `, "m"));
  assert.match(before.out, /^ {2}short +autoscaled /m);

  const key = keyOf(ns, "erp");
  await withQueueObserver(client, async (queues) => {
    const deps = { ...reconcileDeps(client), queues };
    const idle = await reconcileUntil(
      key,
      deps,
      transport,
      (fd) => fd.status?.phase === "Ready" && fd.status.workers?.[0]?.queueDepth !== undefined,
    );
    const bench = idle.status.benchId;
    const target = await new KubeClusterView(client).benchTarget(ns, "erp");
    const redis = await connectRedis({ url: target.redisUrl, password: target.redisPassword });
    try {
      // Frappe jobs as frappe.enqueue writes them; one "running" entry in RQ's StartedJobRegistry.
      const now = new Date();
      const job = (queue: string) =>
        buildJob(15, bench, { site: "erp.example.com", method: TEST_JOB, kwargs: {}, queue }, now);
      await enqueueJobs(redis, [job("short"), job("short"), job("short"), job("reports")]);
      await redis.call("ZADD", startedKey(bench, "short"), String(Date.now() / 1000 + 300), "x");
      // Until steady: an operator already running against this cluster may write its own read too.
      await reconcileUntil(key, deps, transport, (fd) => {
        const short = fd.status?.workers?.find((w: { type: string }) => w.type === "short");
        return short?.queueDepth === 3 && short?.running === 1;
      });
    } finally {
      await redis.close();
    }
  });

  const table = await cli(["-n", ns]);
  assert.equal(table.code, 0, table.err);
  const out = table.out;
  assert.match(out, new RegExp(`^${ns}/erp: phase Ready, bench ${ns}\\.erp, age `, "m"));
  assert.match(out, /^ {2}short +autoscaled +0 +0 +0\.\.4 +3 +1 +short$/m);
  assert.match(out, /^ {2}long +static +0 +0 +0\.\.0 +0 +0 +long$/m);
  assert.match(out, /^ {2}reports +static +0 +0 +0\.\.0 +1 +0 +reports$/m);
  assert.match(out, /^ {2}QueuesObserved +True +QueuesRead +queue depths read from redis:\/\//m);
  assert.doesNotMatch(out, /QUEUED\/RUNNING:/, "every depth came from status");
  const json = await cli(["-n", ns, "erp", "-o", "json"]);
  const views = JSON.parse(json.out) as FdView[];
  assert.equal(views.length, 1);
  const short = views[0].workers.find((w) => w.type === "short");
  assert.deepEqual(
    [short?.mode, short?.maxReplicas, short?.queueDepth, short?.running, short?.depthSource],
    ["autoscaled", 4, 3, 1, "status"],
  );

  // --redis-depth without --redis reads this bench's own Redis (Service name, Secret).
  const live = await cli(["-n", ns, "--redis-depth", "-o", "json"]);
  assert.equal(live.code, 0, live.err);
  const mine = (JSON.parse(live.out) as FdView[]).find((v) => v.namespace === ns);
  const liveShort = mine?.workers.find((w) => w.type === "short");
  assert.deepEqual([liveShort?.queueDepth, liveShort?.depthSource], [3, "redis"]);

  const all = await binary(["-A"]);
  assert.equal(all.code, 0, all.err);
  assert.match(all.out, new RegExp(`^${ns}/erp: phase Ready`, "m"));

  const missing = await binary(["-n", ns, "nope"]);
  assert.equal(missing.code, STATUS_EXIT.notFound);
  assert.match(missing.err, new RegExp(`FrappeDeployment ${ns}/nope not found`));
});

operatorTest("status CLI: --redis-depth reads waiting and running jobs from the bench's Redis", {
  namespace: "status-redis",
  nodeAgent: false,
}, async ({ ns }) => {
  const redis = await startRedis({ password: "s3cret-pw" });
  try {
    // The password comes from the credentials Secret, as the operator generates it.
    await kubectlOk([
      "create",
      "secret",
      "generic",
      "erp-credentials",
      "-n",
      ns,
      "--from-literal=redis-queue-password=s3cret-pw",
    ]);
    await kubectlOk(["apply", "--server-side", "-f", "-"], JSON.stringify(deployment(ns)));
    const bench = `${ns}.erp`;
    await redis.cli("RPUSH", queueKey(bench, "short"), "a", "b", "c");
    await redis.cli("RPUSH", queueKey(bench, "reports"), "r");
    await redis.cli("ZADD", startedKey(bench, "short"), "1", "x");
    const r = await cli([
      "-n",
      ns,
      "erp",
      "--redis-depth",
      "--redis",
      `redis://127.0.0.1:${redis.port}`,
    ]);
    assert.equal(r.code, STATUS_EXIT.ok, r.err);
    assert.equal(r.err, "");
    assert.match(r.out, /^ {2}short +autoscaled +\S+ +\S+ +0\.\.4 +3 +1 +short$/m);
    assert.match(r.out, /^ {2}long +\S+ +\S+ +\S+ +\S+ +0 +0 +long$/m);
    assert.match(r.out, /^ {2}reports +\S+ +\S+ +\S+ +\S+ +1 +0 +reports$/m);

    const wrong = await cli(["-n", ns, "erp", "--redis-depth", "--redis", "redis://127.0.0.1:1"]);
    assert.equal(wrong.code, STATUS_EXIT.ok, "a Redis that can not be read is a warning");
    assert.match(wrong.err, /queue depth not read from Redis at redis:\/\/127\.0\.0\.1:1/);
  } finally {
    await redis.stop();
  }
});
