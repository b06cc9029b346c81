/**
 * Bursts: 100 jobs reach maxReplicas, every job finishes, work is spread over
 * several workers (RQ's worker_name on each finished job). Then a
 * configuration change under load: lowering maxReplicas is respected and no
 * job is lost on the way down (warm shutdown).
 */
import assert from "node:assert";
import { eventually, kubectlOk } from "../support/cluster.ts";
import { enqueueSleeps, jobOutcomes, queueCounts } from "./bench.ts";
import { e2eTest } from "./e2e.ts";
import { withShortBench } from "./fd.ts";
import { sleep } from "./stack.ts";

e2eTest("rapid: 100 jobs reach maxReplicas, all finish, spread over workers", async (ns) => {
  const scaling = { maxReplicas: 5, queueLength: 5 };
  await withShortBench(ns, "rapid", scaling, async (bench, timeline) => {
    const ids = await enqueueSleeps(bench, "short", 100, 1);
    await eventually(
      "100 jobs finished",
      async () => (await queueCounts(bench, "short")).finished >= 100 || undefined,
      300_000,
      1000,
    );
    const outcomes = await jobOutcomes(bench, ids);
    assert.deepStrictEqual(outcomes.filter((o) => o.status !== "finished").length, 0);
    assert.strictEqual(timeline.max, 5, "reached maxReplicas and not beyond");
    const perWorker = new Map<string, number>();
    for (const o of outcomes) perWorker.set(o.worker, (perWorker.get(o.worker) ?? 0) + 1);
    console.log(`jobs per worker: ${JSON.stringify(Object.fromEntries(perWorker))}`);
    assert.ok(perWorker.size >= 3, `work spread over ${perWorker.size} workers`);
  });
});

e2eTest(
  "configuration change: lowering maxReplicas under load is respected, nothing lost",
  async (ns) => {
    const scaling = { maxReplicas: 5, queueLength: 2 };
    await withShortBench(ns, "cfg", scaling, async (bench, timeline) => {
      const ids = await enqueueSleeps(bench, "short", 60, 3);
      await eventually(
        "5 replicas",
        () => Promise.resolve(timeline.max >= 5 || undefined),
        120_000,
        1000,
      );
      await kubectlOk([
        "-n",
        ns,
        "patch",
        "frappedeployment",
        "cfg",
        "--type",
        "merge",
        "-p",
        JSON.stringify({ spec: { workers: { short: { autoscaling: { maxReplicas: 2 } } } } }),
      ]);
      const patched = Date.now();
      await timeline.until("at most 2 replicas", (desired) => desired <= 2, 90_000);
      const respected = Date.now();
      await sleep(10_000);
      assert.ok(
        timeline.samples.filter((s) => s.t > respected).every((s) => s.desired <= 2),
        "stays at <= 2 while loaded",
      );
      await eventually(
        "60 jobs done",
        async () => {
          const c = await queueCounts(bench, "short");
          return c.waiting === 0 && c.running === 0 || undefined;
        },
        300_000,
        1000,
      );
      const outcomes = await jobOutcomes(bench, ids);
      assert.deepStrictEqual(outcomes.filter((o) => o.status !== "finished"), []);
      console.log(
        `maxReplicas 5 -> 2 respected ${
          ((respected - patched) / 1000).toFixed(0)
        } s after the patch`,
      );
    });
  },
);
