import assert from "node:assert/strict";
import { servedQueues } from "./queues.ts";
import { type WorkersInput, workersSchema } from "./workers.ts";

const served = (input: WorkersInput) =>
  servedQueues({ spec: { workers: workersSchema.parse(input) } });

Deno.test("grace periods cover the longest job timeout served plus 60 s", () => {
  const s = served({
    default: { queues: ["default", "reports"] },
    custom: [{ name: "reports", timeout: 3600 }, {
      name: "mixed",
      timeout: 10,
      queues: ["mixed", "long"],
    }],
  });
  const grace = Object.fromEntries(s.workers.map((w) => [w.type, w.gracePeriodSeconds]));
  assert.deepEqual(grace, { short: 360, long: 1560, default: 3660, reports: 3660, mixed: 1560 });
  assert.ok(s.workers.every((w) => w.gracePeriodSeconds > w.maxTimeoutSeconds));
});

Deno.test("an explicit grace period override is used as given", () => {
  const s = served({ long: { terminationGracePeriodSeconds: 2000 } });
  assert.equal(s.workers.find((w) => w.type === "long")?.gracePeriodSeconds, 2000);
});

Deno.test("queues per worker and per bench", () => {
  const s = served({
    short: { queues: ["short", "default"] },
    custom: [{ name: "x", timeout: 5 }],
  });
  assert.deepEqual(s.workers.map((w) => [w.type, w.queues]), [
    ["short", ["short", "default"]],
    ["long", ["long"]],
    ["default", ["default"]],
    ["x", ["x"]],
  ]);
  assert.deepEqual(s.declared, ["short", "long", "default", "x"]);
  assert.deepEqual(s.timeouts, { short: 300, long: 1500, default: 300, x: 5 });
});
