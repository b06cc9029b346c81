import assert from "node:assert/strict";
import { JobTracker } from "./jobstate.ts";
import type { Redis } from "./redis.ts";
import type { RespArg } from "../redis/resp.ts";

/** A Redis that answers HMGET from `jobs` and EXISTS from `workers`, recording each pipeline. */
function fakeRedis(jobs: Record<string, (string | null)[]>, workers: Set<string>) {
  const pipelines: RespArg[][][] = [];
  const redis = {
    pipeline(commands: RespArg[][]) {
      pipelines.push(commands);
      return Promise.resolve(commands.map(([cmd, key]) => {
        const k = String(key);
        if (cmd === "HMGET") return jobs[k.slice("rq:job:".length)] ?? [null, null, null, null];
        if (cmd === "EXISTS") return workers.has(k.slice("rq:worker:".length)) ? 1 : 0;
        throw new Error(`unexpected ${cmd}`);
      }));
    },
  };
  return { redis: redis as unknown as Redis, pipelines };
}

Deno.test("jobstate: one EXISTS per worker, however many of its jobs are started", async () => {
  const now = Date.parse("2025-01-01T00:00:10Z");
  const started = (worker: string) => ["started", "2025-01-01T00:00:05.000000Z", "", worker];
  const { redis, pipelines } = fakeRedis({
    a: started("w1"),
    b: started("w1"),
    c: started("w1"),
    d: started("w2"),
    e: ["finished", "", "", "w1"],
  }, new Set(["w1"]));
  const tracker = new JobTracker(["a", "b", "c", "d", "e"], 90_000);
  await tracker.refresh(redis, now);
  assert.deepEqual(pipelines[1], [["EXISTS", "rq:worker:w1"], ["EXISTS", "rq:worker:w2"]]);
  assert.deepEqual(Object.fromEntries(tracker.states), {
    a: "started",
    b: "started",
    c: "started",
    d: "lost",
    e: "finished",
  });
});
