/**
 * A job longer than the cooldown is not killed by a scale-down: the
 * `rq:wip` trigger keeps a replica while it runs, and when the HPA removes
 * pods after a burst, the one SIGTERM is RQ's warm shutdown and the grace
 * period (job timeout + 60 s) lets the running job finish.
 */
import assert from "node:assert";
import { eventually, kubectlOk } from "../support/cluster.ts";
import { enqueueSleeps, jobOutcomes, queueCounts } from "./bench.ts";
import { e2eTest } from "./e2e.ts";
import { applyFd, shortWorkerOnly, waitBench, withShortBench } from "./fd.ts";
import { kube, sleep } from "./stack.ts";

e2eTest("a job longer than the cooldown survives scale-downs", async (ns) => {
  const scaling = { maxReplicas: 4, queueLength: 1, cooldownPeriod: 10 };
  await withShortBench(ns, "lj", scaling, async (bench, timeline) => {
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
    await timeline.until("back to 0 after the long job", (desired) => desired === 0, 120_000);
    assert.strictEqual((await queueCounts(bench, "short")).running, 0);
    console.log(`timeline ${timeline.changes(start).join(", ")}`);
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
