/**
 * `frappe-op status` against the real local control plane: the CRD installed,
 * a FrappeDeployment created and its status written through the /status
 * subresource with kubectl (as the operator would), then the CLI run both
 * in-process and as bin/frappe-op (the binary's exact permissions).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { CRD_NAME, frappeDeploymentCrd } from "../../apis/crd.ts";
import { captureIo } from "../../cli/io.ts";
import { status, STATUS_EXIT } from "../../cli/status.ts";
import type { FdView } from "../../cli/status_view.ts";
import { queueKey, startedKey } from "../../apis/naming.ts";
import { startRedis } from "../loadtest/support.ts";
import {
  ensureCluster,
  eventually,
  kubeconfigPath,
  kubectlOk,
  REPO_ROOT,
  withNamespace,
} from "../support/cluster.ts";

async function installCrd(): Promise<void> {
  await ensureCluster();
  await kubectlOk(
    ["apply", "--server-side", "--force-conflicts", "--field-manager=frappe-op-tests", "-f", "-"],
    JSON.stringify(frappeDeploymentCrd()),
  );
  await kubectlOk(["wait", "--for", "condition=Established", `crd/${CRD_NAME}`]);
}

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
        short: { autoscaling: { enabled: true, minReplicas: 0, maxReplicas: 4 } },
        custom: [{ name: "reports", timeout: 600 }],
      },
    },
  };
}

const cond = (type: string, s: string, reason: string, message: string) => ({
  type,
  status: s,
  reason,
  message,
  lastTransitionTime: "2026-01-01T00:00:00Z",
  observedGeneration: 1,
});

function statusPatch(ns: string) {
  return {
    status: {
      observedGeneration: 1,
      phase: "Ready",
      benchId: `${ns}.erp`,
      conditions: [
        cond("Ready", "True", "AllComponentsReady", "every component is ready"),
        cond("KedaAvailable", "True", "KedaInstalled", "KEDA CRDs found"),
      ],
      workers: [
        {
          type: "short",
          mode: "autoscaled",
          replicas: 2,
          readyReplicas: 2,
          queueDepth: 7,
          running: 2,
        },
        { type: "long", mode: "static", replicas: 1, readyReplicas: 0 },
        { type: "default", mode: "static", replicas: 1, readyReplicas: 1 },
        { type: "reports", mode: "static", replicas: 1, readyReplicas: 1 },
      ],
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

Deno.test("status CLI: shows phase and workers of a FrappeDeployment from the API", async () => {
  await installCrd();
  await withNamespace("status-cli", async (ns) => {
    await kubectlOk(["apply", "--server-side", "-f", "-"], JSON.stringify(deployment(ns)));

    const before = await cli(["-n", ns, "erp"]);
    assert.equal(before.code, STATUS_EXIT.ok, before.err);
    // Right after creation: no status yet, unless an operator is already reconciling it.
    assert.match(before.out, new RegExp(`^${ns}/erp: phase `, "m"));
    assert.match(before.out, /^ {2}short +autoscaled /m);

    // An operator running against this cluster (the e2e tier starts one) may rewrite the
    // status at any time: patch, then read table and JSON, until both show the patch.
    const shown = await eventually("the patched status in the table and the JSON", async () => {
      const patch = JSON.stringify(statusPatch(ns));
      await kubectlOk([
        "patch",
        "fd/erp",
        "-n",
        ns,
        "--subresource=status",
        "--type=merge",
        "-p",
        patch,
      ]);
      const table = await cli(["-n", ns]);
      const json = await cli(["-n", ns, "erp", "-o", "json"]);
      const views = json.code === 0 ? JSON.parse(json.out) as FdView[] : [];
      const short = views[0]?.workers.find((w) => w.type === "short");
      const patched = /short +autoscaled +2 +2/.test(table.out) && short?.queueDepth === 7;
      return table.code === 0 && patched ? { table, views } : undefined;
    });
    const out = shown.table.out;
    assert.match(out, new RegExp(`^${ns}/erp: phase Ready, bench ${ns}\\.erp, age `, "m"));
    assert.match(out, /^ {2}short +autoscaled +2 +2 +0\.\.4 +7 +2 +short$/m);
    assert.match(out, /^ {2}long +static +1 +0 +1\.\.1 +- +- +long$/m);
    assert.match(out, /^ {2}reports +static +1 +1 +1\.\.1 +- +- +reports$/m);
    assert.match(out, /^ {2}KedaAvailable +True +KedaInstalled +KEDA CRDs found$/m);
    assert.equal(shown.views.length, 1);
    const short = shown.views[0].workers.find((w) => w.type === "short");
    assert.deepEqual(
      [short?.mode, short?.replicas, short?.maxReplicas, short?.queueDepth, short?.running],
      ["autoscaled", 2, 4, 7, 2],
    );

    const all = await binary(["-A"]);
    assert.equal(all.code, 0, all.err);
    assert.match(all.out, new RegExp(`^${ns}/erp: phase `, "m"));

    const missing = await binary(["-n", ns, "nope"]);
    assert.equal(missing.code, STATUS_EXIT.notFound);
    assert.match(missing.err, new RegExp(`FrappeDeployment ${ns}/nope not found`));
  });
});

Deno.test("status CLI: --redis-depth reads waiting and running jobs from the bench's Redis", async () => {
  await installCrd();
  const redis = await startRedis({ password: "s3cret-pw" });
  try {
    await withNamespace("status-redis", async (ns) => {
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
    });
  } finally {
    await redis.stop();
  }
});
