import assert from "node:assert/strict";
import { Backoff, backoffDelay } from "./backoff.ts";

Deno.test("backoff doubles up to the cap", () => {
  const opts = { initialMs: 100, maxMs: 1000, jitter: 0 };
  assert.deepEqual([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, opts)), [
    100,
    200,
    400,
    800,
    1000,
    1000,
  ]);
});

Deno.test("jitter spreads the delay within +-jitter", () => {
  const opts = { initialMs: 1000, maxMs: 10_000, jitter: 0.5 };
  assert.equal(backoffDelay(0, { ...opts, random: () => 0 }), 500);
  assert.equal(backoffDelay(0, { ...opts, random: () => 0.5 }), 1000);
  assert.equal(backoffDelay(0, { ...opts, random: () => 0.999999 }), 1500);
});

Deno.test("Backoff grows with next() and starts over after reset()", () => {
  const b = new Backoff({ initialMs: 10, maxMs: 100, jitter: 0 });
  assert.deepEqual([b.next(), b.next(), b.next()], [10, 20, 40]);
  assert.equal(b.attempts, 3);
  b.reset();
  assert.equal(b.next(), 10);
});
