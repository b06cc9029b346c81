/**
 * Multi-tenant: three FrappeDeployments (one on Frappe v16, so rq 2.6.1
 * workers and `||` job ids), each with its own Redis and password; load on
 * the v16 one scales only its short worker, the others stay at 0.
 */
import assert from "node:assert";
import { eventually } from "../support/cluster.ts";
import { enqueueSleeps, jobOutcomes, queueCounts } from "./bench.ts";
import { e2eTest } from "./e2e.ts";
import { applyFd, shortWorkerOnly, waitBench } from "./fd.ts";
import { Timeline } from "./timeline.ts";

e2eTest("multi-tenant: load on one bench scales only that bench", async (ns) => {
  const names = ["t1", "t2", "t3"];
  for (const [i, name] of names.entries()) {
    await applyFd(ns, name, {
      frappeVersion: i === 0 ? "16" : "15",
      workers: shortWorkerOnly({ maxReplicas: 3, queueLength: 2 }),
    });
  }
  const benches = await Promise.all(names.map((n) => waitBench(ns, n, ["short"])));
  assert.strictEqual(
    new Set(benches.map((b) => b.redisUrl)).size,
    3,
    "each tenant has its own Redis",
  );
  const timelines = names.map((n) => new Timeline(ns, `${n}-worker-short`));
  try {
    await eventually(
      "all short workers at 0",
      () => Promise.resolve(timelines.every((t) => t.samples.at(-1)?.desired === 0) || undefined),
      60_000,
    );
    const ids = await enqueueSleeps(benches[0], "short", 12, 3, 16);
    await eventually(
      "12 jobs finished on t1",
      async () => (await queueCounts(benches[0], "short")).finished >= 12 || undefined,
      180_000,
      1000,
    );
    const outcomes = await jobOutcomes(benches[0], ids);
    assert.deepStrictEqual(outcomes.filter((o) => o.status !== "finished"), []);
    assert.ok(
      outcomes.every((o) => o.worker.startsWith("t1-worker-short-")),
      "t1's own workers ran t1's jobs",
    );
    assert.ok(timelines[0].max >= 2, `t1 scaled up (max ${timelines[0].max})`);
    assert.strictEqual(timelines[1].max, 0, "t2 stayed at 0");
    assert.strictEqual(timelines[2].max, 0, "t3 stayed at 0");
    for (const b of benches.slice(1)) {
      assert.deepStrictEqual(await queueCounts(b, "short"), {
        waiting: 0,
        running: 0,
        finished: 0,
      });
    }
  } finally {
    await Promise.all(timelines.map((t) => t.stop()));
    benches.forEach((b) => b.redis.disconnect());
  }
});
