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
import { BusyWatch, enqueueSleeps, jobOutcomes, queueCounts } from "./bench.ts";
import { e2eTest } from "./e2e.ts";
import { applyFd, autoscaled, desiredReplicas, waitBench, withShortBench } from "./fd.ts";
import { durationSeconds, hpaSyncPeriod, kube, sleep } from "./stack.ts";

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

/** The HPA KEDA made for a ScaledObject (`keda-hpa-<name>`). */
async function kedaHpa(ns: string, scaledObject: string) {
  return await (await kube()).get({
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    namespace: ns,
    name: `keda-hpa-${scaledObject}`,
  });
}

/** Sampling slack: our 250 ms queue reads, the 1 s replica samples, a late KEDA poll. */
const SLACK_S = 2;

e2eTest(
  "10 short jobs: short workers 0 -> N -> 0 after the cooldown, through a password-protected Redis",
  async (ns) => {
    const cooldown = 15;
    const polling = 2;
    const scaling = {
      maxReplicas: 4,
      queueLength: 2,
      cooldownPeriod: cooldown,
      pollingInterval: polling,
    };
    // Not before the cooldown (less a poll and sampling slack); the upper bound is generous
    // (a poll, an HPA sync and 20 s of a loaded 2-core machine on top of the cooldown).
    const hpaSync = durationSeconds(await hpaSyncPeriod());
    const lower = cooldown - polling - SLACK_S;
    const upper = cooldown + polling + hpaSync + 20;
    await withShortBench(ns, "basic", scaling, async (bench, timeline) => {
      const url = new URL(bench.redisUrl);
      assert.ok(url.password.length >= 16, "the queue Redis URL carries the generated password");
      url.password = "";
      const anonymous = await connectRedis({ url: url.toString() }).then(
        (r) => r.disconnect(),
        (e) => e,
      );
      assert.ok(anonymous instanceof Error, "Redis without the password is refused");

      // KEDA hands our HPA behaviour to the HPA it creates: the scale-down window is the cooldown.
      const hpa = await eventually(
        "KEDA's HPA",
        () => kedaHpa(ns, "basic-worker-short"),
        60_000,
        500,
      );
      assert.strictEqual(
        hpa.spec?.behavior?.scaleDown?.stabilizationWindowSeconds,
        cooldown,
        "the HPA's scale-down window is the cooldown (not the HPA's default 300 s)",
      );

      await timeline.until("short at 0", (desired) => desired === 0, 60_000, 250);
      const start = Date.now();
      const busy = new BusyWatch(bench, "short");
      const ids = await enqueueSleeps(bench, "short", 10, 5);
      try {
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
        await timeline.until("back to 0", (desired) => desired === 0, (upper + 30) * 1000);
      } finally {
        await busy.stop();
      }
      // KEDA takes the workers to 0 (N -> 0 in one step, the HPA never goes below 1) at its
      // first poll `cooldownPeriod` after the last poll that saw a job waiting or running,
      // which came at most one pollingInterval before the queue and rq:wip were last non-empty.
      const lastBusy = busy.lastBusy!;
      const zeroAt = timeline.firstAt((s) => s.desired === 0, lastBusy)!;
      const back = (zeroAt - lastBusy) / 1000;
      console.log(
        `timeline ${timeline.changes(start).join(", ")}; back to 0 ${back.toFixed(1)} s after ` +
          `the queue and rq:wip were last non-empty (cooldown ${cooldown} s, polling ${polling} s, ` +
          `HPA sync ${hpaSync} s; allowed ${lower}..${upper} s)`,
      );
      assert.ok(back >= lower, `back to 0 after ${back.toFixed(1)} s: cooldown not honoured`);
      assert.ok(back <= upper, `back to 0 after ${back.toFixed(1)} s: later than ${upper} s`);
    });
  },
);
