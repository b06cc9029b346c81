/**
 * A job longer than the cooldown is not killed by a scale-down: the
 * `rq:wip` trigger keeps a replica while it runs, and when the HPA removes
 * pods after a burst, the one SIGTERM is RQ's warm shutdown and the grace
 * period (job timeout + 60 s) lets the running job finish.
 */
import assert from "node:assert";
import { eventually } from "../support/cluster.ts";
import { enqueueSleeps, jobOutcomes, queueCounts } from "./bench.ts";
import { e2eTest } from "./e2e.ts";
import { applyFd, autoscaled, waitBench } from "./fd.ts";
import { Timeline } from "./timeline.ts";

e2eTest("a job longer than the cooldown survives scale-downs", async (ns) => {
  const cooldown = 10;
  await applyFd(ns, "lj", {
    workers: {
      short: autoscaled({ maxReplicas: 4, queueLength: 1, cooldownPeriod: cooldown }),
      long: { replicas: 0 },
      default: { replicas: 0 },
    },
  });
  const bench = await waitBench(ns, "lj", ["short"]);
  const timeline = new Timeline(ns, "lj-worker-short");
  try {
    // One 45 s job (4.5 cooldowns) and a burst of short ones that scales to 4;
    // when the burst is done the HPA drops to 1 while the long job still runs.
    const [longId] = await enqueueSleeps(bench, "short", 1, 45);
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
    const running = Date.now();
    const zeroWhileRunning = timeline.samples.some((s) =>
      s.t > start + 5_000 && s.t < running - 3_000 && s.desired === 0
    );
    assert.ok(!zeroWhileRunning, "never at 0 while the long job ran");
    assert.ok(
      timeline.samples.some((s) => s.t > start && s.t < running && s.desired < timeline.max),
      "scaled down while it ran",
    );
    await eventually(
      "back to 0 after the long job",
      () => Promise.resolve(timeline.samples.at(-1)?.desired === 0 || undefined),
      120_000,
      1000,
    );
    assert.strictEqual((await queueCounts(bench, "short")).running, 0);
    console.log(`timeline ${timeline.changes(start).join(", ")}`);
  } finally {
    await timeline.stop();
    bench.redis.disconnect();
  }
});
