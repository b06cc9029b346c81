/**
 * A job longer than the cooldown is not killed by a scale-down: the
 * `rq:wip` trigger keeps a replica while it runs, and when the HPA removes
 * pods after a burst, the one SIGTERM is RQ's warm shutdown and the grace
 * period (job timeout + 60 s) lets the running job finish.
 */
import assert from "node:assert";
import { eventually, kubectlOk } from "../support/cluster.ts";
import { enqueueSleeps, jobOutcomes, jobTime, queueCounts } from "./bench.ts";
import { e2eTest } from "./e2e.ts";
import { applyFd, shortWorkerOnly, waitBench, withShortBench } from "./fd.ts";
import { durationSeconds, hpaSyncPeriod, kube, sleep } from "./stack.ts";

/** Sampling slack: the 1 s replica samples, API latency, a late HPA sync on a loaded machine. */
const SLACK_S = 2;

e2eTest("a job longer than the cooldown survives scale-downs", async (ns) => {
  const cooldown = 20;
  const scaling = { maxReplicas: 4, queueLength: 1, cooldownPeriod: cooldown };
  const hpaSync = durationSeconds(await hpaSyncPeriod());
  await withShortBench(ns, "lj", scaling, async (bench, timeline) => {
    // One 60 s job (3 cooldowns) and a burst of short ones that scales to 4;
    // when the burst is done the HPA drops to 1 while the long job still runs
    // (with room for the default 15 s HPA sync: 4 by +17 s, 1 by +47 s).
    const [longId] = await enqueueSleeps(bench, "short", 1, 60);
    const burst = await enqueueSleeps(bench, "short", 6, 2);
    const start = Date.now();
    await eventually(
      "scaled to 4",
      () => Promise.resolve(timeline.max >= 4 || undefined),
      120_000,
      1000,
    );
    await eventually(
      "long job done",
      async () => {
        const [o] = await jobOutcomes(bench, [longId]);
        return o.status === "finished" || o.status === "failed" ? o : undefined;
      },
      180_000,
      1000,
    );
    const outcomes = await jobOutcomes(bench, [longId, ...burst]);
    assert.deepStrictEqual(outcomes.filter((o) => o.status !== "finished"), [], "no job killed");
    const longEnded = (await jobTime(bench, longId, "ended_at"))!;
    // The burst was over (only the long job left in rq:wip) when its last job ended.
    const burstEnded = Math.max(
      ...await Promise.all(
        burst.map(async (id) => (await jobTime(bench, id, "ended_at"))!),
      ),
    );
    const zeroWhileRunning = timeline.samples.some((s) =>
      s.t > start + 5_000 && s.t < longEnded - 3_000 && s.desired === 0
    );
    assert.ok(!zeroWhileRunning, "never at 0 while the long job ran");

    // The scale-down steps while the long job runs come from the HPA, held back by the
    // stabilisation window our behaviour sets to the cooldown (the HPA's default is 300 s,
    // which would keep 4 replicas until after the long job).
    const peak = timeline.max;
    const peakAt = timeline.firstAt((s) => s.desired === peak)!;
    const belowPeak = timeline.firstAt((s) => s.desired < peak, peakAt);
    const atOne = timeline.firstAt((s) => s.desired <= 1, peakAt);
    const secs = (a: number, b: number) => ((a - b) / 1000).toFixed(1);
    console.log(
      `timeline ${timeline.changes(start).join(", ")}; burst ended +${secs(burstEnded, start)}s, ` +
        `long job ended +${
          secs(longEnded, start)
        }s (cooldown ${cooldown} s, HPA sync ${hpaSync} s)`,
    );
    assert.ok(
      atOne !== undefined && atOne < longEnded,
      "scaled down to 1 while the long job ran (after the cooldown, not the HPA's default 300 s)",
    );
    // Not before the window: below the peak no earlier than one cooldown after the HPA sync
    // that set it, and down to 1 no earlier than one cooldown after the last sync that saw
    // the burst (at most one sync period before its last job ended).
    const fromPeak = (belowPeak! - peakAt) / 1000;
    assert.ok(
      fromPeak >= cooldown - SLACK_S,
      `below the peak ${fromPeak.toFixed(1)} s after reaching it: the HPA window is shorter ` +
        `than the cooldown (${cooldown} s)`,
    );
    const fromBurst = (atOne - burstEnded) / 1000;
    assert.ok(
      fromBurst >= cooldown - hpaSync - SLACK_S,
      `down to 1 ${fromBurst.toFixed(1)} s after the burst ended: the HPA window is shorter ` +
        `than the cooldown (${cooldown} s)`,
    );
    await timeline.until("back to 0 after the long job", (desired) => desired === 0, 120_000);
    assert.strictEqual((await queueCounts(bench, "short")).running, 0);
  });
});

e2eTest(
  "deleting a busy worker pod: one SIGTERM, the job finishes, then the pod goes",
  async (ns) => {
    await applyFd(ns, "wd", {
      workers: shortWorkerOnly({ maxReplicas: 2, queueLength: 1, cooldownPeriod: 60 }),
    });
    const bench = await waitBench(ns, "wd", ["short"]);
    try {
      const [id] = await enqueueSleeps(bench, "short", 1, 25);
      const worker = await eventually(
        "the job started",
        async () => {
          const [o] = await jobOutcomes(bench, [id]);
          return o.status === "started" && o.worker ? o.worker : undefined;
        },
        120_000,
        500,
      );
      const deletedAt = Date.now();
      await kubectlOk(["-n", ns, "delete", "pod", worker, "--wait=false"]);
      await sleep(5_000);
      const pod = await (await kube()).get({
        apiVersion: "v1",
        kind: "Pod",
        namespace: ns,
        name: worker,
      });
      assert.ok(pod?.metadata.deletionTimestamp, "the pod is Terminating while its job runs");
      assert.ok(
        (pod?.metadata as { deletionGracePeriodSeconds?: number } | undefined)
          ?.deletionGracePeriodSeconds! >= 300,
        "grace period >= the short queue's timeout",
      );
      await eventually(
        "the pod is gone",
        async () =>
          (await (await kube()).get({ apiVersion: "v1", kind: "Pod", namespace: ns, name: worker }))
            ? undefined
            : true,
        120_000,
        1000,
      );
      const gone = (Date.now() - deletedAt) / 1000;
      const [o] = await jobOutcomes(bench, [id]);
      assert.strictEqual(o.status, "finished", "the job finished (warm shutdown), not abandoned");
      assert.ok(gone >= 15, `the pod outlived its job (${gone.toFixed(0)} s after delete)`);
      console.log(`pod gone ${gone.toFixed(0)} s after kubectl delete; job ${o.status}`);
    } finally {
      bench.redis.disconnect();
    }
  },
);
