import assert from "node:assert/strict";
import { FakeClock } from "./fake_clock.ts";
import { runWorkers, WorkQueue } from "./workqueue.ts";

const noJitter = { initialMs: 100, maxMs: 1000, jitter: 0 };

Deno.test("a key added many times while waiting is processed once", async () => {
  const q = new WorkQueue({ clock: new FakeClock() });
  q.add("ns/a");
  q.add("ns/a");
  q.add("ns/b");
  q.add("ns/a");
  assert.equal(q.len(), 2);
  assert.equal(await q.get(), "ns/a");
  assert.equal(await q.get(), "ns/b");
  assert.equal(q.len(), 0);
});

Deno.test("a key is never handed out twice at once; re-added while processing runs after", async () => {
  const q = new WorkQueue({ clock: new FakeClock() });
  q.add("ns/a");
  const key = await q.get();
  q.add("ns/a");
  q.add("ns/a");
  assert.equal(q.len(), 0, "held back while processing");
  q.done(key!);
  assert.equal(q.len(), 1, "queued again once, after done");
  assert.equal(await q.get(), "ns/a");
  q.done("ns/a");
  assert.equal(q.len(), 0);
});

Deno.test("get waits for an add and shutdown wakes waiters", async () => {
  const q = new WorkQueue({ clock: new FakeClock() });
  const waiting = q.get();
  q.add("ns/x");
  assert.equal(await waiting, "ns/x");
  const idle = q.get();
  q.shutdown();
  assert.equal(await idle, undefined);
  q.add("ns/y");
  assert.equal(await q.get(), undefined, "no adds after shutdown");
});

Deno.test("addAfter fires on the clock and the earliest delay wins", async () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock });
  q.addAfter("ns/a", 5000);
  q.addAfter("ns/a", 1000);
  await clock.advance(999);
  assert.equal(q.len(), 0);
  await clock.advance(1);
  assert.equal(q.len(), 1);
  await clock.advance(10_000);
  assert.equal(q.len(), 1, "the later timer was cancelled");
});

Deno.test("rate-limited requeue backs off per key and forget resets it", () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock, backoff: noJitter });
  assert.equal(q.addRateLimited("ns/a"), 100);
  assert.equal(q.addRateLimited("ns/a"), 200);
  assert.equal(q.addRateLimited("ns/a"), 400);
  assert.equal(q.addRateLimited("ns/b"), 100, "keys back off independently");
  q.forget("ns/a");
  assert.equal(q.addRateLimited("ns/a"), 100);
  for (let i = 0; i < 10; i++) q.addRateLimited("ns/c");
  assert.equal(q.addRateLimited("ns/c"), 1000, "capped at maxMs");
});

Deno.test("runWorkers never processes one key concurrently and retries failures", async () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock, backoff: noJitter });
  let running = 0;
  let maxRunning = 0;
  const calls: string[] = [];
  let failOnce = true;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const errors: string[] = [];
  const done = runWorkers(q, 4, async (key) => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    calls.push(key);
    await gate;
    running--;
    if (key === "ns/b" && failOnce) {
      failOnce = false;
      throw new Error("boom");
    }
    return {};
  }, (key) => errors.push(key));
  q.add("ns/a");
  await clock.advance(0);
  q.add("ns/a");
  q.add("ns/a");
  q.add("ns/b");
  await clock.advance(0);
  release();
  await clock.advance(0);
  await clock.advance(100);
  await clock.advance(0);
  q.shutdown();
  await done;
  assert.equal(maxRunning, 2, "a and b in parallel, never a twice");
  assert.deepEqual(calls.filter((k) => k === "ns/a").length, 2);
  assert.deepEqual(calls.filter((k) => k === "ns/b").length, 2, "b retried after backoff");
  assert.deepEqual(errors, ["ns/b"]);
});
