/**
 * Through the operator: a FrappeDeployment with autoscaled short/long
 * workers. Idle: short and long at 0, default and scheduler at 1. Load: 10
 * short jobs scale short up (KEDA 0->1, HPA 1->N) and back to 0 after the
 * cooldown; the queue Redis has a password (requirepass) end to end: KEDA
 * through the TriggerAuthentication, the workers and the test through the URL,
 * the operator through the credentials Secret (queue depth in status).
 */
import assert from "node:assert";
import { API_VERSION, KIND } from "../../apis/frappedeployment.ts";
import type { WorkerStatus } from "../../apis/status.ts";
import { connectRedis } from "../../loadtest/redis.ts";
import { eventually } from "../support/cluster.ts";
import { enqueueSleeps, jobOutcomes, queueCounts } from "./bench.ts";
import { e2eTest } from "./e2e.ts";
import { applyFd, autoscaled, desiredReplicas, waitBench, withShortBench } from "./fd.ts";
import { kube, sleep } from "./stack.ts";

/** The operator's status.workers[] entry of one worker. */
async function workerStatus(ns: string, fd: string, type: string) {
  const obj = await (await kube()).get({
    apiVersion: API_VERSION,
    kind: KIND,
    namespace: ns,
    name: fd,
  });
  const workers: WorkerStatus[] = obj?.status?.workers ?? [];
  return workers.find((w) => w.type === type);
}

e2eTest("idle bench scales to zero: short and long 0, default 1, scheduler 1", async (ns) => {
  await applyFd(ns, "idle", {
    workers: { short: autoscaled(), long: autoscaled(), default: { replicas: 1 } },
  });
  const bench = await waitBench(ns, "idle", ["short", "long"]);
  try {
    const state = async () =>
      Object.fromEntries(
        await Promise.all(
          ["worker-short", "worker-long", "worker-default", "scheduler"].map(async (
            d,
          ) => [d, await desiredReplicas(ns, `idle-${d}`)]),
        ),
      );
    const want = { "worker-short": 0, "worker-long": 0, "worker-default": 1, "scheduler": 1 };
    await eventually(
      "idle replicas",
      async () => JSON.stringify(await state()) === JSON.stringify(want) || undefined,
      60_000,
      1000,
    );
    await sleep(10_000); // several polling intervals: nothing wakes up
    assert.deepStrictEqual(await state(), want);
  } finally {
    bench.redis.disconnect();
  }
});

e2eTest(
  "10 short jobs: short workers 0 -> N -> 0, through a password-protected Redis",
  async (ns) => {
    const cooldown = 15;
    const scaling = { maxReplicas: 4, queueLength: 2, cooldownPeriod: cooldown };
    await withShortBench(ns, "basic", scaling, async (bench, timeline) => {
      const url = new URL(bench.redisUrl);
      assert.ok(url.password.length >= 16, "the queue Redis URL carries the generated password");
      url.password = "";
      const anonymous = await connectRedis({ url: url.toString() }).then(
        (r) => r.disconnect(),
        (e) => e,
      );
      assert.ok(anonymous instanceof Error, "Redis without the password is refused");

      await timeline.until("short at 0", (desired) => desired === 0, 60_000, 250);
      const start = Date.now();
      const ids = await enqueueSleeps(bench, "short", 10, 5);
      // The running operator reports the load in status (its queue observer reads while busy) ...
      await eventually(
        "status shows the short jobs",
        async () => {
          const w = await workerStatus(ns, "basic", "short");
          return (w?.queueDepth ?? 0) + (w?.running ?? 0) > 0 || undefined;
        },
        60_000,
        500,
      );
      await eventually(
        "10 jobs finished",
        async () => (await queueCounts(bench, "short")).finished >= 10 || undefined,
        180_000,
        1000,
      );
      // ... and 0 again once drained.
      await eventually(
        "status shows the queue drained",
        async () => {
          const w = await workerStatus(ns, "basic", "short");
          return (w?.queueDepth === 0 && w?.running === 0) || undefined;
        },
        30_000,
        500,
      );
      const outcomes = await jobOutcomes(bench, ids);
      assert.deepStrictEqual(
        outcomes.filter((o) => o.status !== "finished"),
        [],
      );
      assert.ok(timeline.max >= 2, `scaled beyond 1 replica (max ${timeline.max})`);
      const drained = Date.now();
      await timeline.until("back to 0", (desired) => desired === 0, 150_000);
      const back = (Date.now() - drained) / 1000;
      console.log(
        `timeline ${timeline.changes(start).join(", ")}; back to 0 ${
          back.toFixed(0)
        } s after drain (cooldown ${cooldown} s)`,
      );
    });
  },
);
