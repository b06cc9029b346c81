/**
 * Queue depth in status, against the real control plane and the bench's real
 * queue Redis (the node agent runs a redis-server for the Redis pod and maps
 * its Service names in /etc/hosts; workers are real RQ processes): Frappe
 * jobs pushed exactly as `frappe.enqueue` writes them show up as
 * status.workers[].queueDepth/running, a drained bench goes back to 0 and
 * then resyncs write nothing; a Redis that is down or refuses the password
 * is named in QueuesObserved while the rest of the reconcile goes on.
 */
import assert from "node:assert/strict";
import { queueKey } from "../../apis/naming.ts";
import type { WorkerStatus } from "../../apis/status.ts";
import type { ReconcileDeps } from "../../controllers/deps.ts";
import { RecentQueueReads } from "../../controllers/queue_depth.ts";
import { reconcile } from "../../controllers/reconcile.ts";
import type { KubeClient } from "../../kube/client.ts";
import { FakeClock } from "../../kube/fake_clock.ts";
import { createLogger } from "../../kube/log.ts";
import type { KubeObject } from "../../kube/types.ts";
import { KubeClusterView } from "../../loadtest/cluster.ts";
import { enqueueJobs } from "../../loadtest/enqueue.ts";
import { connectRedis, type Redis } from "../../loadtest/redis.ts";
import { buildJob, TEST_JOB } from "../../loadtest/rqjob.ts";
import { eventually } from "../support/cluster.ts";
import { startRedis } from "../loadtest/support.ts";
import {
  applyFd,
  fdRef,
  IDLE_WORKERS,
  keyOf,
  operatorTest,
  reconcileDeps,
  reconcileUntil,
  reconcileUntilSteady,
} from "./operator_support.ts";

const WORKERS = {
  ...IDLE_WORKERS,
  short: { replicas: 0, autoscaling: { enabled: false, pollingInterval: 7 } },
  custom: [{ name: "reports", timeout: 600, replicas: 0 }],
};

/** The bench's queue Redis as its workers reach it (Service name, generated password). */
async function benchRedis(client: KubeClient, ns: string, name: string): Promise<Redis> {
  const target = await new KubeClusterView(client).benchTarget(ns, name);
  return await connectRedis({ url: target.redisUrl, password: target.redisPassword });
}

async function sleeps(redis: Redis, benchId: string, queue: string, count: number, s: number) {
  const now = new Date();
  const jobs = Array.from(
    { length: count },
    () => buildJob(15, benchId, { site: "erp.local", method: TEST_JOB, kwargs: { s }, queue }, now),
  );
  await enqueueJobs(redis, jobs);
}

const depthOf = (fd: KubeObject, type: string) => {
  const w = (fd.status?.workers ?? []).find((x: WorkerStatus) => x.type === type);
  return w ? { queueDepth: w.queueDepth, running: w.running } : undefined;
};

const conditionOf = (fd: KubeObject, type: string) =>
  (fd.status?.conditions ?? []).find((c: { type: string }) => c.type === type);

function writesDuring(transport: { counts(): Record<string, number> }) {
  const before = { ...transport.counts() };
  return () => {
    const after = transport.counts();
    return ["create", "update", "patch", "apply", "delete"]
      .reduce((n, verb) => n + (after[verb] ?? 0) - (before[verb] ?? 0), 0);
  };
}

operatorTest("the operator writes each worker's queue depth and running jobs from Redis", {
  namespace: "op-depth",
}, async ({ client, transport, ns }) => {
  const key = keyOf(ns, "erp");
  const deps = reconcileDeps(client);
  await applyFd(client, ns, "erp", { workers: WORKERS });
  const idle = await reconcileUntilSteady(key, deps, transport);
  assert.equal(conditionOf(idle, "QueuesObserved")?.status, "True");
  assert.deepEqual(depthOf(idle, "short"), { queueDepth: 0, running: 0 });
  assert.deepEqual(depthOf(idle, "reports"), { queueDepth: 0, running: 0 });

  const benchId = idle.status.benchId;
  const redis = await benchRedis(client, ns, "erp");
  try {
    await sleeps(redis, benchId, "short", 3, 4);
    await sleeps(redis, benchId, "reports", 2, 1);
    const busy = await reconcile(key, deps);
    assert.equal(
      busy.requeueAfterMs,
      7000,
      "jobs waiting: re-read at the smallest pollingInterval",
    );
    // Until steady: an operator already running against this cluster may write its own read too.
    const queued = await reconcileUntil(
      key,
      deps,
      transport,
      (fd) => depthOf(fd, "short")?.queueDepth === 3,
    );
    assert.deepEqual(depthOf(queued, "short"), { queueDepth: 3, running: 0 });
    assert.deepEqual(depthOf(queued, "reports"), { queueDepth: 2, running: 0 });
    assert.deepEqual(depthOf(queued, "long"), { queueDepth: 0, running: 0 });

    // A real RQ worker takes the short jobs: running while a 4 s job executes, then drained.
    const withWorker = { ...WORKERS, short: { ...WORKERS.short, replicas: 1 } };
    await applyFd(client, ns, "erp", { workers: withWorker });
    const running = await reconcileUntil(key, deps, transport, (fd) => {
      const d = depthOf(fd, "short");
      return (d?.running ?? 0) >= 1 && (d?.queueDepth ?? 3) < 3;
    }, 60_000);
    assert.ok(depthOf(running, "short")!.running! >= 1);
    await redis.call("DEL", queueKey(benchId, "reports"));
    const drained = await reconcileUntil(
      key,
      deps,
      transport,
      (fd) => depthOf(fd, "short")?.queueDepth === 0 && depthOf(fd, "short")?.running === 0,
      90_000,
    );
    assert.deepEqual(depthOf(drained, "reports"), { queueDepth: 0, running: 0 });
    assert.equal((await reconcile(key, deps)).requeueAfterMs, undefined, "idle: no requeue");
    const writes = writesDuring(transport);
    for (let i = 0; i < 3; i++) await reconcile(key, deps);
    assert.equal(writes(), 0, "an idle bench's resync writes nothing");
  } finally {
    await redis.close();
  }
});

operatorTest("with the manager's memory, a bench's Redis is read once per refresh interval", {
  namespace: "op-depth-memo",
}, async ({ client, transport, ns }) => {
  const key = keyOf(ns, "erp");
  await applyFd(client, ns, "erp", { workers: WORKERS });
  const idle = await reconcileUntilSteady(key, reconcileDeps(client), transport);
  const clock = new FakeClock(Date.now());
  const deps: ReconcileDeps = {
    ...reconcileDeps(client),
    clock,
    queueReads: new RecentQueueReads(),
  };
  await reconcile(key, deps);
  const redis = await benchRedis(client, ns, "erp");
  try {
    await sleeps(redis, idle.status.benchId, "short", 2, 1);
    // Woken again at once (say by its own status write): the last read stands, nothing is written.
    const writes = writesDuring(transport);
    await reconcile(key, deps);
    assert.equal(writes(), 0);
    assert.deepEqual(depthOf((await client.get(fdRef(ns, "erp")))!, "short"), {
      queueDepth: 0,
      running: 0,
    });
    await clock.advance(7000);
    await reconcile(key, deps);
    assert.deepEqual(depthOf((await client.get(fdRef(ns, "erp")))!, "short"), {
      queueDepth: 2,
      running: 0,
    });
  } finally {
    await redis.close();
  }
});

operatorTest("a queue Redis that refuses the password or is down is named in status", {
  namespace: "op-depth-fail",
}, async ({ client, transport, ns }) => {
  const password = "right-pw-7c1e";
  const server = await startRedis({ password });
  const lines: string[] = [];
  const log = createLogger({ level: "debug", format: "json", sink: (l) => lines.push(l) });
  const deps = reconcileDeps(client, log);
  const key = keyOf(ns, "erp");
  const secret = (value: string) => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "queue-redis", namespace: ns },
    stringData: { password: value },
  });
  try {
    await client.apply(secret("wrong-pw-51ab"), { fieldManager: "test", force: true });
    const external = {
      url: `redis://127.0.0.1:${server.port}`,
      passwordSecretRef: { name: "queue-redis", key: "password" },
    };
    await applyFd(client, ns, "erp", { workers: WORKERS, redis: { queue: { external } } });
    const refused = await reconcileUntilSteady(key, deps, transport);
    const cond = conditionOf(refused, "QueuesObserved");
    assert.deepEqual([cond?.status, cond?.reason], ["False", "RedisAuthFailed"]);
    assert.match(cond.message, /rejected the credentials/);
    assert.equal(refused.status.phase, "Ready", "the rest of the reconcile went on");
    assert.equal(depthOf(refused, "short")?.queueDepth, undefined, "no depth, not a stale one");
    assert.ok(refused.status.components.length > 0);
    assert.ok(lines.some((l) => l.includes("reading queue depths failed")));
    assert.ok(!lines.some((l) => l.includes("wrong-pw-51ab") || l.includes(password)));
    assert.ok(!JSON.stringify(refused.status).includes("wrong-pw-51ab"));
    const events = await client.list("v1", "Event", { namespace: ns });
    assert.ok(events.items.some((e) => e.reason === "QueuesNotObserved"));

    await client.apply(secret(password), { fieldManager: "test", force: true });
    const read = await reconcileUntil(
      key,
      deps,
      transport,
      (fd) => conditionOf(fd, "QueuesObserved")?.status === "True",
    );
    assert.deepEqual(depthOf(read, "short"), { queueDepth: 0, running: 0 });

    await server.stop();
    const down = await reconcileUntil(
      key,
      deps,
      transport,
      (fd) => conditionOf(fd, "QueuesObserved")?.status === "False",
    );
    const gone = conditionOf(down, "QueuesObserved");
    assert.equal(gone.reason, "RedisUnreachable");
    assert.match(
      gone.message,
      new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${server.port}`),
    );
    assert.equal(down.status.phase, "Ready");
    assert.equal(depthOf(down, "short")?.queueDepth, undefined);
    assert.equal((await reconcile(key, deps)).requeueAfterMs, 30_000, "re-checked, slowly");
  } finally {
    await server.stop().catch(() => {});
  }
});

operatorTest("while an upgrade waits at a Job, status keeps the running components' counts", {
  namespace: "op-upgrade-status",
}, async ({ client, transport, ns }) => {
  const key = keyOf(ns, "erp");
  const deps = reconcileDeps(client);
  const spec = (image: string) => ({
    image,
    sites: [{ name: "erp.local" }],
    workers: { ...IDLE_WORKERS, default: { replicas: 1, autoscaling: { enabled: false } } },
  });
  await applyFd(client, ns, "erp", spec("frappe/erpnext:v15.1.0"));
  const ready = await reconcileUntilSteady(key, deps, transport);
  const gunicorn = ready.status.components.find((c: { name: string }) => c.name === "gunicorn");
  assert.deepEqual([gunicorn.ready, gunicorn.desired], [1, 1]);

  await applyFd(client, ns, "erp", spec("frappe/erpnext:v15.2.0"));
  await reconcile(key, deps);
  const waiting = (await client.get(fdRef(ns, "erp")))!;
  const ready_ = conditionOf(waiting, "Ready");
  assert.equal(waiting.status.phase, "Progressing");
  assert.equal(ready_.reason, "WaitingForJobs", ready_.message);
  const during = waiting.status.components.find((c: { name: string }) => c.name === "gunicorn");
  assert.deepEqual([during.ready, during.desired], [1, 1], "gunicorn still runs the old image");
  const worker = waiting.status.workers.find((w: WorkerStatus) => w.type === "default");
  assert.deepEqual([worker.replicas, worker.readyReplicas], [1, 1]);
  assert.ok(!ready_.message.includes("not created yet"));
  await eventually("upgrade done", async () => {
    await reconcile(key, deps);
    const fd = await client.get(fdRef(ns, "erp"));
    return fd?.status?.imageMigrated === "frappe/erpnext:v15.2.0" ? true : undefined;
  });
});
