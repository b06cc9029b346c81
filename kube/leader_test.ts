import assert from "node:assert/strict";
import { FakeClock } from "./fake_clock.ts";
import { FakeLeaseStore } from "./fake_lease_store.ts";
import { LeaderElector } from "./leader.ts";
import { nullLogger } from "./log.ts";

const timing = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/** A fresh lease store on a fake clock, and one elector per identity competing for it. */
function candidates(...identities: string[]) {
  const clock = new FakeClock();
  const store = new FakeLeaseStore();
  const electors = identities.map((identity) =>
    new LeaderElector({ store, clock, identity, log: nullLogger, random: () => 0, ...timing })
  );
  return { clock, store, electors };
}

Deno.test("the first candidate creates the lease and leads; the second waits", async () => {
  const { store, electors: [a, b] } = candidates("a", "b");
  assert.equal(await a.tryAcquireOrRenew(), true);
  assert.equal(await b.tryAcquireOrRenew(), false);
  assert.equal(store.current?.holderIdentity, "a");
  assert.equal(store.current?.leaseDurationSeconds, 15);
  assert.equal(b.holder, "a");
});

Deno.test("a renewed lease is never taken over", async () => {
  const { clock, store, electors: [a, b] } = candidates("a", "b");
  await a.tryAcquireOrRenew();
  for (let i = 0; i < 20; i++) {
    await clock.advance(5_000);
    assert.equal(await a.tryAcquireOrRenew(), true);
    assert.equal(await b.tryAcquireOrRenew(), false);
  }
  assert.equal(store.current?.leaseTransitions, 0);
});

Deno.test("an expired lease is taken over, measured on the candidate's own clock", async () => {
  const { clock, store, electors: [a, b] } = candidates("a", "b");
  await a.tryAcquireOrRenew();
  assert.equal(await b.tryAcquireOrRenew(), false, "b first observes the record");
  await clock.advance(14_999);
  assert.equal(await b.tryAcquireOrRenew(), false, "not yet expired");
  await clock.advance(1);
  assert.equal(await b.tryAcquireOrRenew(), true);
  assert.equal(store.current?.holderIdentity, "b");
  assert.equal(store.current?.leaseTransitions, 1);
  assert.equal(await a.tryAcquireOrRenew(), false, "the old leader sees b");
});

Deno.test("a released lease is taken at once", async () => {
  const { clock, store, electors: [a, b] } = candidates("a", "b");
  const stop = new AbortController();
  const running = a.run(stop.signal);
  await clock.advance(0);
  assert.equal(a.isLeader, true);
  stop.abort();
  assert.equal(await running, "stopped");
  assert.equal(store.current?.holderIdentity, "");
  assert.equal(await b.tryAcquireOrRenew(), true);
});

Deno.test("concurrent writers: compare-and-swap lets only one win", async () => {
  const { electors } = candidates("a", "b", "c");
  const results = await Promise.all(electors.map((e) => e.tryAcquireOrRenew()));
  assert.equal(results.filter((r) => r).length, 1);
});

Deno.test("the leader steps down when it cannot renew within renewDeadline", async () => {
  const { clock, store, electors: [a] } = candidates("a");
  const events: string[] = [];
  const running = a.run(new AbortController().signal, {
    onStartedLeading: () => events.push("started"),
    onStoppedLeading: () => events.push("stopped"),
  });
  await clock.advance(0);
  assert.equal(a.isLeader, true);
  for (let t = 0; t < 6; t++) {
    store.failNext = new Error("apiserver down");
    await clock.advance(2_000);
  }
  assert.equal(await running, "lost");
  assert.equal(a.isLeader, false);
  assert.deepEqual(events, ["started", "stopped"]);
});

Deno.test("a hung renewal is cut off at renewDeadline: the leader steps down in time", async () => {
  const { clock, store, electors: [a] } = candidates("a");
  const running = a.run(new AbortController().signal);
  await clock.advance(0);
  assert.equal(a.isLeader, true);
  store.hang = true; // from the next renewal (t = 2 s) on, the API server never answers
  await clock.advance(9_999);
  assert.equal(a.isLeader, true, "still inside renewDeadline (10 s after the last renewal)");
  await clock.advance(1);
  assert.equal(a.isLeader, false, "stepped down at renewDeadline, before the 15 s lease ends");
  assert.equal(await running, "lost");
  assert.equal(store.aborted, 1, "the hung request was aborted");
});

Deno.test("a leader that sees another holder steps down at once", async () => {
  const { clock, store, electors: [a] } = candidates("a");
  const running = a.run(new AbortController().signal);
  await clock.advance(0);
  const current = await store.get();
  await store.update({ ...current!.record, holderIdentity: "intruder" }, current!.version);
  await clock.advance(2_000);
  assert.equal(await running, "lost");
});

Deno.test("stateKnown turns true after the first attempt, even a failed one", async () => {
  const { clock, store, electors: [a] } = candidates("a");
  store.failNext = new Error("down");
  assert.equal(a.stateKnown, false);
  const stop = new AbortController();
  const running = a.run(stop.signal);
  await clock.advance(0);
  assert.equal(a.stateKnown, true);
  assert.equal(a.isLeader, false);
  stop.abort();
  await running;
});
