import assert from "node:assert/strict";
import { buildJob, buildJobs, frappeJobId, TEST_JOB, utcformat } from "./rqjob.ts";

const spec = (s: number) => ({ site: "a.local", method: TEST_JOB, kwargs: { s }, queue: "long" });

Deno.test("rqjob: buildJobs shares the encoding of equal calls and matches buildJob", () => {
  const now = new Date("2026-01-02T03:04:05.678Z");
  const [a, b, c] = buildJobs(16, "bench", [spec(1), spec(1), spec(2)], now);
  const field = (j: typeof a, k: string) => j.fields.find(([n]) => n === k)?.[1];
  assert.equal(field(a, "data"), field(b, "data"));
  assert.notDeepEqual(field(a, "data"), field(c, "data"));
  assert.notEqual(a.id, b.id);
  const single = buildJob(16, "bench", spec(2), now);
  assert.deepEqual(c.fields, single.fields);
  assert.equal(field(c, "timeout"), "1500");
  assert.equal(field(c, "created_at"), "2026-01-02T03:04:05.678000Z");
  assert.equal(c.queueKey, "rq:queue:bench:long");
  assert.equal(c.key, `rq:job:${c.id}`);
});

Deno.test("rqjob: job ids and timestamps in Frappe's and RQ's formats", () => {
  assert.equal(frappeJobId(15, "s", "scheduled_job::x"), "s::scheduled_job::x");
  assert.equal(frappeJobId(16, "s", "scheduled_job::x"), "s||scheduled_job||x");
  assert.equal(utcformat(new Date(0)), "1970-01-01T00:00:00.000000Z");
});
