/**
 * Queue depth in status, against the real control plane and the bench's real
 * queue Redis (the node agent runs a redis-server for the Redis pod and maps
 * its Service names in /etc/hosts; workers are real RQ processes), read by
 * the queue observer: Frappe jobs pushed exactly as `frappe.enqueue` writes
 * them show up as status.workers[].queueDepth/running, a drained bench goes
 * back to 0 and then resyncs write nothing; jobs reaching an idle bench show
 * up without any child event, in one status write; a Redis that is down or
 * refuses the password is named in QueuesObserved while the rest of the
 * reconcile goes on; Redis that accept connections and never answer do not
 * hold up another bench's reconcile or its queue depths.
 */
import assert from "node:assert/strict";
import { queueKey } from "../../apis/naming.ts";
import type { WorkerStatus } from "../../apis/status.ts";
import type { Manager } from "../../controllers/manager.ts";
import { reconcile } from "../../controllers/reconcile.ts";
import type { KubeClient } from "../../kube/client.ts";
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
  deployment,
  fdRef,
  IDLE_WORKERS,
  keyOf,
  managerConfig,
  operatorTest,
  reconcileDeps,
  reconcileUntil,
  reconcileUntilSteady,
  withManager,
  withQueueObserver,
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
}, ({ client, transport, ns }) =>
  withQueueObserver(client, async (observer) => {
    const key = keyOf(ns, "erp");
    const deps = { ...reconcileDeps(client), queues: observer };
    await applyFd(client, ns, "erp", { workers: WORKERS });
    const idle = await reconcileUntil(key, deps, transport, (fd) =>
      fd.status?.phase === "Ready" && conditionOf(fd, "QueuesObserved")?.status === "True");
    assert.deepEqual(depthOf(idle, "short"), { queueDepth: 0, running: 0 });
    assert.deepEqual(depthOf(idle, "reports"), { queueDepth: 0, running: 0 });

    const benchId = idle.status.benchId;
    const redis = await benchRedis(client, ns, "erp");
    try {
      await sleeps(redis, benchId, "short", 3, 4);
      await sleeps(redis, benchId, "reports", 2, 1);
      // Until steady: an operator already running against this cluster may write its own read too.
      const queued = await reconcileUntil(
        key,
        deps,
        transport,
        (fd) =>
          depthOf(fd, "short")?.queueDepth === 3,
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
        (fd) =>
          depthOf(fd, "short")?.queueDepth === 0 && depthOf(fd, "short")?.running === 0,
        90_000,
      );
      assert.deepEqual(depthOf(drained, "reports"), { queueDepth: 0, running: 0 });
      assert.equal((await reconcile(key, deps)).requeueAfterMs, undefined, "idle: no requeue");
      const writes = writesDuring(transport);
      for (let i = 0; i < 3; i++) {
        await reconcile(key, deps);
      }
      assert.equal(writes(), 0, "an idle bench's resync writes nothing");
    } finally {
      await redis.close();
    }
  }));

/** Resolves once the manager's queue observer has finished `n` more successful reads. */
/** The FrappeDeployment once Ready with its short queue read (depth 0) into status. */
function readyWithQueuesRead(client: KubeClient, ns: string, name: string): Promise<KubeObject> {
  return eventually(
    `${name} Ready with its queues read`,
    async () => {
      const fd = await client.get(fdRef(ns, name));
      return fd?.status?.phase === "Ready" && depthOf(fd, "short")?.queueDepth === 0
        ? fd
        : undefined;
    },
    120_000,
    500,
  );
}

function readsDone(m: Manager, n: number): Promise<true> {
  const okReads = () => m.metrics.queueReads.get({ result: "ok" });
  const target = okReads() + n;
  return eventually(`${n} queue reads`, () => Promise.resolve(okReads() >= target || undefined));
}

operatorTest("jobs reaching an idle bench of static workers show up without any child event", {
  namespace: "op-depth-idle",
}, async ({ ns, ...t }) => {
  await applyFd(t.client, ns, "erp", { workers: WORKERS });
  // No resync while the test runs: only the queue observer can notice the jobs.
  const config = managerConfig(t, [ns], {
    resyncMs: 3_600_000,
    queues: { concurrency: 4, pollIntervalMs: 5_000 },
  });
  await withManager(config, async (m) => {
    const idle = await readyWithQueuesRead(t.client, ns, "erp");
    await readsDone(m, 2);
    const writes = writesDuring(t.transport);
    const redis = await benchRedis(t.client, ns, "erp");
    try {
      await sleeps(redis, idle.status.benchId, "short", 2, 1);
    } finally {
      await redis.close();
    }
    const seen = await eventually(
      "the jobs in status",
      async () => {
        const fd = await t.client.get(fdRef(ns, "erp"));
        return depthOf(fd!, "short")?.queueDepth === 2 ? fd : undefined;
      },
      60_000,
      250,
    );
    assert.deepEqual(depthOf(seen!, "short"), { queueDepth: 2, running: 0 });
    await readsDone(m, 2); // the same depth read again
    assert.equal(writes(), 1, "one status write for the change, nothing else");
  });
});

operatorTest("a queue Redis that refuses the password or is down is named in status", {
  namespace: "op-depth-fail",
}, async ({ client, transport, ns }) => {
  const password = "right-pw-7c1e";
  const server = await startRedis({ password });
  const lines: string[] = [];
  const log = createLogger({ level: "debug", format: "json", sink: (l) => lines.push(l) });
  const key = keyOf(ns, "erp");
  const secret = (value: string) => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "queue-redis", namespace: ns },
    stringData: { password: value },
  });
  try {
    await withQueueObserver(client, async (observer) => {
      const deps = { ...reconcileDeps(client, log), queues: observer };
      await client.apply(secret("wrong-pw-51ab"), { fieldManager: "test", force: true });
      const external = {
        url: `redis://127.0.0.1:${server.port}`,
        passwordSecretRef: { name: "queue-redis", key: "password" },
      };
      await applyFd(client, ns, "erp", { workers: WORKERS, redis: { queue: { external } } });
      const refused = await reconcileUntil(
        key,
        deps,
        transport,
        (fd) =>
          fd.status?.phase === "Ready" && conditionOf(fd, "QueuesObserved")?.status === "False",
      );
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

      // The Secret is not watched: the observer reads it again on its next attempt after a failure.
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
      assert.equal(observer.stats().failing, 1, "retried with backoff");
    }, { log });
  } finally {
    await server.stop().catch(() => {});
  }
});

/** A port that accepts TCP connections and never answers; `open`: connections not yet closed. */
function blackHole() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  const accepted: Deno.Conn[] = [];
  let closed = false;
  const drain = async (conn: Deno.Conn) => {
    const buf = new Uint8Array(4096);
    try {
      while ((await conn.read(buf)) !== null) { /* swallow AUTH, PING, ... */ }
    } catch { /* reset by the client */ }
    open.delete(conn);
  };
  const serving = (async () => {
    for await (const conn of listener) {
      open.add(conn);
      accepted.push(conn);
      drain(conn);
    }
  })().catch(() => {});
  return {
    url: `redis://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    open,
    close: async () => {
      if (closed) return;
      closed = true;
      listener.close();
      for (const c of accepted) {
        try {
          c.close();
        } catch { /* closed already */ }
      }
      await serving;
    },
  };
}

operatorTest("Redis that never answer hold up neither another bench's reconcile nor its depths", {
  namespace: "op-depth-holes",
}, async ({ ns, ...t }) => {
  const hole = blackHole();
  const holes = Array.from({ length: 20 }, (_, i) => `hole-${i}`);
  const concurrency = 4;
  try {
    await t.client.apply({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "db", namespace: ns },
      stringData: { username: "root", password: "unused" },
    }, { fieldManager: "test", force: true });
    await applyFd(t.client, ns, "erp", { workers: WORKERS });
    // Reads held open for 2 minutes (the real budget is about 3 s): the observer's slots stay
    // taken for the whole test, so whatever the healthy bench gets, it gets while they are.
    const timeouts = { connectTimeoutMs: 120_000, commandTimeoutMs: 120_000 };
    const config = managerConfig(t, [ns], {
      resyncMs: 3_600_000,
      queues: { concurrency, pollIntervalMs: 5_000, timeouts },
    });
    await withManager(config, async (m) => {
      const idle = await readyWithQueuesRead(t.client, ns, "erp");
      for (const name of holes) {
        await applyFd(t.client, ns, name, {
          database: { external: { host: "127.0.0.1", credentialsSecretRef: { name: "db" } } },
          redis: { queue: { external: { url: hole.url } }, cache: { external: { url: hole.url } } },
        });
      }
      await eventually("every bench observed, the slow lane full", () =>
        Promise.resolve(
          m.queueObserver.stats().benches === holes.length + 1 &&
              hole.open.size >= concurrency - 1 ||
            undefined,
        ), 60_000);
      const held = [...hole.open];

      // A spec change of the healthy bench is applied ...
      await applyFd(t.client, ns, "erp", {
        workers: { ...WORKERS, long: { replicas: 1, autoscaling: { enabled: false } } },
      });
      await eventually("erp's change applied", async () => {
        const fd = await t.client.get(fdRef(ns, "erp"));
        const worker = await deployment(t.client, ns, "erp-worker-long");
        return fd?.status?.observedGeneration === fd?.metadata.generation &&
            worker?.spec?.replicas === 1 || undefined;
      }, 60_000);
      // ... and its new jobs are read, through the slot kept for benches that answer.
      const redis = await benchRedis(t.client, ns, "erp");
      try {
        await sleeps(redis, idle.status.benchId, "default", 2, 1);
      } finally {
        await redis.close();
      }
      await eventually("erp's jobs in status", async () => {
        const fd = await t.client.get(fdRef(ns, "erp"));
        return depthOf(fd!, "default")?.queueDepth === 2 || undefined;
      }, 60_000);
      assert.ok(
        held.every((c) => hole.open.has(c)),
        "the black holes' reads were in flight all along",
      );
      assert.equal(hole.open.size, concurrency - 1, "and never took the last slot");
      await hole.close(); // the held reads fail at once; the manager stops without waiting 2 min
    });
  } finally {
    await hole.close();
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
