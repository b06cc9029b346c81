import assert from "node:assert/strict";
import { FakeClock } from "../kube/fake_clock.ts";
import type { KubeClient } from "../kube/client.ts";
import { nullLogger } from "../kube/log.ts";
import {
  QUEUE_FAILURE_BACKOFF,
  QueueObserver,
  type QueueObserverConfig,
} from "./queue_observer.ts";
import { type QueueObservation, queuesCondition, type QueueTarget } from "./queue_read.ts";

const target = (name: string, extra: Partial<QueueTarget> = {}): QueueTarget => ({
  key: `ns/${name}`,
  uid: `uid-${name}`,
  url: `redis://${name}:6379/0`,
  benchId: `ns.${name}`,
  workers: [{ type: "short", queues: ["short"] }],
  busyIntervalMs: 15_000,
  autoscaled: false,
  ...extra,
});

const ok = (queueDepth = 0, running = 0): QueueObservation => ({
  depths: new Map([["short", { queueDepth, running }]]),
  condition: queuesCondition("True", "QueuesRead", "queue depths read"),
});
const down: QueueObservation = {
  condition: queuesCondition("False", "RedisUnreachable", "cannot reach Redis"),
};

/** An observer whose reads answer from `answer(url)`, recording when each bench was read. */
function setup(config: Partial<QueueObserverConfig> = {}) {
  const clock = new FakeClock(0);
  const reads: { url: string; at: number }[] = [];
  const enqueued: string[] = [];
  const answers = new Map<string, QueueObservation>();
  const observer = new QueueObserver(
    {
      concurrency: 4,
      pollIntervalMs: 30_000,
      failureBackoff: { ...QUEUE_FAILURE_BACKOFF, random: () => 0.5 }, // no jitter
      ...config,
    },
    {
      client: {} as KubeClient,
      clock,
      log: nullLogger,
      enqueue: (key) => enqueued.push(key),
      read: (t) => {
        reads.push({ url: t.url, at: clock.now() });
        return Promise.resolve(answers.get(t.url) ?? ok());
      },
    },
  );
  observer.start();
  const readTimes = (name: string) =>
    reads.filter((r) => r.url === target(name).url).map((r) => r.at / 1000);
  return { clock, observer, enqueued, answers, readTimes };
}

Deno.test("queue observer: failed reads back off from 30 s, doubling to 5 min, then recover", async () => {
  const { clock, observer, enqueued, answers, readTimes } = setup();
  answers.set(target("a").url, down);
  assert.deepEqual(observer.observe(target("a"), {}), {}, "nothing known before the first read");
  await clock.advance(0);
  assert.equal(observer.observe(target("a"), {}).condition?.reason, "RedisUnreachable");
  await clock.advance(1200_000);
  assert.deepEqual(readTimes("a"), [0, 30, 90, 210, 450, 750, 1050]);
  assert.deepEqual(enqueued, ["ns/a"], "the same failure again changes nothing");
  assert.equal(observer.stats().failing, 1);

  answers.set(target("a").url, ok());
  await clock.advance(150_000); // the next attempt, 5 min after 1050 s
  assert.deepEqual(readTimes("a").slice(-1), [1350]);
  assert.deepEqual(enqueued, ["ns/a", "ns/a"], "recovery is a change: one enqueue");
  assert.equal(observer.stats().failing, 0);
  await clock.advance(60_000);
  assert.deepEqual(readTimes("a").slice(-2), [1380, 1410], "healthy again: the poll interval");
});

Deno.test("queue observer: idle benches at the poll interval, busy ones at their pollingInterval", async () => {
  const { clock, observer, enqueued, answers, readTimes } = setup();
  observer.observe(target("idle"), {});
  observer.observe(target("busy", { busyIntervalMs: 7000 }), {});
  observer.observe(target("fast", { busyIntervalMs: 1000 }), {});
  answers.set(target("busy").url, ok(3, 1));
  answers.set(target("fast").url, ok(0, 1));
  await clock.advance(60_000);
  assert.deepEqual(readTimes("idle"), [0, 30, 60]);
  assert.deepEqual(readTimes("busy"), [0, 7, 14, 21, 28, 35, 42, 49, 56]);
  assert.deepEqual(readTimes("fast").slice(0, 3), [0, 5, 10], "never more often than every 5 s");
  assert.deepEqual(enqueued.sort(), ["ns/busy", "ns/fast", "ns/idle"], "one change each");
});

Deno.test("queue observer: a result equal to what status shows enqueues nothing", async () => {
  const { clock, observer, enqueued } = setup();
  observer.observe(target("a"), ok());
  await clock.advance(100_000);
  assert.deepEqual(enqueued, []);
});

Deno.test("queue observer: hanging reads take at most concurrency - 1 slots", async () => {
  const clock = new FakeClock(0);
  const hanging: string[] = [];
  const healthyReads: number[] = [];
  const observer = new QueueObserver({ concurrency: 2, pollIntervalMs: 30_000 }, {
    client: {} as KubeClient,
    clock,
    log: nullLogger,
    enqueue: () => {},
    read: (t) => {
      if (t.url.includes("hole")) {
        hanging.push(t.url);
        return new Promise(() => {});
      }
      healthyReads.push(clock.now() / 1000);
      return Promise.resolve(ok());
    },
  });
  observer.start();
  for (let i = 0; i < 5; i++) observer.observe(target(`hole${i}`), {});
  observer.observe(target("healthy"), ok()); // status says its last read worked
  await clock.advance(90_000);
  assert.equal(hanging.length, 1, "one slot for benches not known to answer");
  assert.deepEqual(healthyReads, [0, 30, 60, 90], "the other slot keeps serving the healthy bench");
  assert.equal(observer.stats().reading, 1);
});

Deno.test("queue observer: forgotten or re-targeted benches", async () => {
  const { clock, observer, enqueued, answers, readTimes } = setup();
  observer.observe(target("a"), {});
  await clock.advance(0);
  observer.forget("ns/a");
  await clock.advance(120_000);
  assert.deepEqual(readTimes("a"), [0], "not read after forget");
  assert.equal(observer.stats().benches, 0);

  observer.observe(target("b"), ok());
  await clock.advance(10_000);
  // The spec changed (say a new URL): read at once, not at the next poll.
  const moved = target("b", { url: "redis://b2:6379/0" });
  answers.set(moved.url, ok(4));
  observer.observe(moved, ok());
  await clock.advance(0);
  assert.deepEqual(observer.observe(moved, ok()).depths?.get("short"), {
    queueDepth: 4,
    running: 0,
  });
  assert.deepEqual(enqueued, ["ns/a", "ns/b"]);
  // Re-created under the same name: a new uid replaces the old entry.
  observer.observe(target("b", { uid: "uid-b-2" }), {});
  assert.equal(observer.stats().benches, 1);
});

Deno.test("queue observer: a read of a target changed meanwhile is dropped and done again", async () => {
  const clock = new FakeClock(0);
  const reads: string[] = [];
  const enqueued: string[] = [];
  let release = () => {};
  const observer = new QueueObserver({ concurrency: 4, pollIntervalMs: 30_000 }, {
    client: {} as KubeClient,
    clock,
    log: nullLogger,
    enqueue: (key) => enqueued.push(key),
    read: (t) => {
      reads.push(t.url);
      if (t.url.includes("old")) return new Promise((r) => release = () => r(down));
      return Promise.resolve(ok(2));
    },
  });
  observer.start();
  observer.observe(target("a", { url: "redis://old:6379/0" }), ok());
  await clock.advance(0);
  const moved = target("a", { url: "redis://new:6379/0" });
  observer.observe(moved, ok());
  release();
  await clock.advance(0);
  assert.deepEqual(reads, ["redis://old:6379/0", "redis://new:6379/0"]);
  const now = observer.observe(moved, ok());
  assert.deepEqual(
    now.depths?.get("short"),
    { queueDepth: 2, running: 0 },
    "the old read's failure never showed",
  );
  assert.deepEqual(enqueued, ["ns/a"]);
  assert.equal(observer.stats().failing, 0);
});

Deno.test("queue observer: a password Secret is read once, and again after a failed read", async () => {
  const clock = new FakeClock(0);
  const gets: string[] = [];
  const passwords: (string | undefined)[] = [];
  let value = "old-pw";
  const client = {
    get: (ref: { name: string }) => {
      gets.push(ref.name);
      return Promise.resolve({ data: { password: btoa(value) } });
    },
  } as unknown as KubeClient;
  const observer = new QueueObserver({
    concurrency: 4,
    pollIntervalMs: 30_000,
    failureBackoff: { ...QUEUE_FAILURE_BACKOFF, random: () => 0.5 },
  }, {
    client,
    clock,
    log: nullLogger,
    enqueue: () => {},
    read: (_t, password) => {
      passwords.push(password);
      return Promise.resolve(password === value ? ok() : down);
    },
  });
  observer.start();
  const passwordSecret = { namespace: "ns", name: "queue-redis", key: "password" };
  observer.observe(target("a", { passwordSecret }), {});
  await clock.advance(60_000);
  assert.deepEqual([gets.length, passwords], [1, ["old-pw", "old-pw", "old-pw"]]);
  value = "new-pw"; // rotated in the Secret and the Redis
  await clock.advance(30_000); // refused with the cached password, then the Secret is read again
  await clock.advance(30_000);
  assert.deepEqual(passwords.slice(3), ["old-pw", "new-pw"]);
  assert.equal(gets.length, 2);
});
