import assert from "node:assert/strict";
import { parseLoadtestArgs } from "../cli/loadtest_args.ts";
import { type OverloadCheck, overloadRefusal, queueOverloadLimit } from "./overload.ts";

const check = (c: Partial<OverloadCheck>): OverloadCheck => ({
  frappeVersion: 16,
  queueKey: "rq:queue:shop.erp:short",
  queued: 0,
  jobs: 100,
  sites: 1,
  allowed: false,
  ...c,
});

Deno.test("overload: Frappe v16's limit is 500 + 50 x sites", () => {
  assert.equal(queueOverloadLimit(1), 550);
  assert.equal(queueOverloadLimit(3), 650);
});

Deno.test("overload: refused only when the queue would reach the limit (frappe: count >= limit)", () => {
  // 1 site: limit 550; 549 waiting afterwards leaves the tenant one enqueue, 550 leaves none.
  assert.equal(overloadRefusal(check({ queued: 49, jobs: 500 })), undefined);
  assert.ok(overloadRefusal(check({ queued: 50, jobs: 500 })));
  assert.equal(overloadRefusal(check({ jobs: 549 })), undefined);
  assert.ok(overloadRefusal(check({ jobs: 550 })));
  // More sites, a higher limit.
  assert.equal(overloadRefusal(check({ jobs: 600, sites: 3 })), undefined);
  assert.ok(overloadRefusal(check({ jobs: 650, sites: 3 })));
  // No sites listed: counted as 1 (the --site the jobs name exists on the bench).
  assert.ok(overloadRefusal(check({ jobs: 550, sites: 0 })));
});

Deno.test("overload: v15, no jobs and --allow-overload are never refused", () => {
  assert.equal(overloadRefusal(check({ frappeVersion: 15, jobs: 10_000 })), undefined);
  assert.equal(overloadRefusal(check({ allowed: true, jobs: 10_000 })), undefined);
  // idle enqueues nothing, even into a queue that is already past the limit.
  assert.equal(overloadRefusal(check({ queued: 900, jobs: 0 })), undefined);
});

Deno.test("overload: the message names the limit, the numbers and how to proceed", () => {
  assert.equal(
    overloadRefusal(check({ queued: 120, jobs: 500 })),
    "Frappe v16's frappe.enqueue raises QueueOverloaded once a queue holds 550 jobs " +
      "(500 + 50 x 1 site): rq:queue:shop.erp:short holds 120 and 500 more would bring it to " +
      "620, and the bench's own background jobs would fail until its workers bring it below " +
      "550; enqueue at most 429 (--jobs 429), wait until the queue is shorter, " +
      "or give --allow-overload to enqueue them anyway",
  );
  // Already full: no --jobs that would fit.
  const full = overloadRefusal(check({ queued: 700, jobs: 1, sites: 2 }))!;
  assert.match(full, /holds 600 jobs \(500 \+ 50 x 2 sites\)/);
  assert.match(full, /below 600; wait until the queue is shorter, or give --allow-overload/);
  assert.doesNotMatch(full, /--jobs/);
});

Deno.test("overload: --allow-overload is a flag of its own, off by default", () => {
  const target = ["--redis", "redis://h", "--bench-id", "b", "--site", "s"];
  assert.equal(parseLoadtestArgs(target).run.allowOverload, false);
  assert.equal(parseLoadtestArgs([...target, "--allow-overload"]).run.allowOverload, true);
});
