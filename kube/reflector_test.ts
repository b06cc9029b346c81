import assert from "node:assert/strict";
import { KubeClient } from "./client.ts";
import { FakeClock } from "./fake_clock.ts";
import { nullLogger } from "./log.ts";
import { Reflector, type ReflectorOptions, WATCH_GRACE_MS } from "./reflector.ts";
import type { KubeRequest, Transport } from "./transport.ts";
import type { KubeObject } from "./types.ts";

const cm = (name: string, rv: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "ns", resourceVersion: rv },
});

function lines(events: unknown[], openUntil?: AbortSignal): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const e of events) c.enqueue(enc.encode(JSON.stringify(e) + "\n"));
      if (!openUntil) c.close();
      else openUntil.addEventListener("abort", () => c.error(new DOMException("", "AbortError")));
    },
  });
}

/** A FAKE transport scripted per call: lists and watch streams in order. */
class ScriptedTransport implements Transport {
  lists: unknown[] = [];
  watches: ((req: KubeRequest) => ReadableStream<Uint8Array>)[] = [];
  watchRequests: KubeRequest[] = [];
  request(_req: KubeRequest): Promise<unknown> {
    const next = this.lists.shift();
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  }
  stream(req: KubeRequest): Promise<ReadableStream<Uint8Array>> {
    this.watchRequests.push(req);
    const next = this.watches.shift();
    return Promise.resolve(next ? next(req) : lines([], req.signal));
  }
  close() {}
}

const listOf = (rv: string, ...items: KubeObject[]) => ({
  metadata: { resourceVersion: rv },
  items,
});

/** A ConfigMap reflector over `t` on a fake clock, already running; stop() ends it. */
function startReflector(t: ScriptedTransport, opts: Partial<ReflectorOptions<KubeObject>> = {}) {
  const clock = new FakeClock();
  const r = new Reflector({
    client: new KubeClient(t),
    apiVersion: "v1",
    kind: "ConfigMap",
    clock,
    log: nullLogger,
    ...opts,
  });
  const abort = new AbortController();
  const running = r.run(abort.signal);
  const stop = async () => {
    abort.abort();
    await running;
  };
  return { r, clock, stop };
}

Deno.test("reflector lists, follows watch events and bookmarks, relists on 410", async () => {
  const t = new ScriptedTransport();
  t.lists.push(listOf("10", cm("a", "5")), listOf("30", cm("a", "21"), cm("c", "25")));
  t.watches.push(
    () =>
      lines([
        { type: "ADDED", object: cm("b", "11") },
        { type: "BOOKMARK", object: { metadata: { resourceVersion: "15" } } },
        { type: "MODIFIED", object: cm("a", "16") },
        { type: "DELETED", object: cm("b", "17") },
      ]),
    () => lines([{ type: "ERROR", object: { kind: "Status", code: 410, reason: "Expired" } }]),
  );
  const changes: string[] = [];
  const { r, clock, stop } = startReflector(t, {
    onChange: (type, o) => changes.push(`${type} ${o.metadata.name}`),
  });
  await clock.advance(0);
  await clock.advance(0);
  assert.equal(r.state, "SYNCED");
  assert.deepEqual(changes, [
    "added a",
    "added b",
    "updated a",
    "deleted b",
    "updated a",
    "added c",
  ]);
  assert.equal(t.watchRequests[0].query?.resourceVersion, "10");
  assert.equal(t.watchRequests[0].query?.allowWatchBookmarks, true);
  assert.equal(t.watchRequests[1].query?.resourceVersion, "17", "reopened after the stream ended");
  assert.equal(t.watchRequests[2].query?.resourceVersion, "30", "relisted after 410");
  assert.equal(r.lists, 2);
  assert.deepEqual(r.list().map((o) => o.metadata.name).sort(), ["a", "c"]);
  assert.equal(r.get("ns", "a")?.metadata.resourceVersion, "21");
  await stop();
});

Deno.test("reflector backs off after failures and marks itself DESYNCED", async () => {
  const t = new ScriptedTransport();
  t.lists.push(new Error("connection refused"), new Error("again"), listOf("1"));
  const states: string[] = [];
  const { r, clock, stop } = startReflector(t, {
    backoff: { initialMs: 1000, maxMs: 10_000, jitter: 0 },
    onState: (s) => states.push(s),
  });
  await clock.advance(0);
  assert.equal(r.state, "DESYNCED");
  await clock.advance(999);
  assert.equal(r.lists, 0);
  await clock.advance(1);
  await clock.advance(1999);
  assert.equal(r.state, "DESYNCED", "second retry waits 2 s");
  await clock.advance(1);
  assert.equal(r.state, "SYNCED");
  assert.deepEqual(states, ["SYNCED"]);
  await stop();
});

Deno.test("a watch the server never ends (dead connection) is abandoned and reopened", async () => {
  const t = new ScriptedTransport();
  t.lists.push(listOf("10", cm("a", "5")));
  // The first watch delivers one event, then neither ends nor errors until aborted.
  t.watches.push((req) => lines([{ type: "MODIFIED", object: cm("a", "12") }], req.signal));
  const { r, clock, stop } = startReflector(t, { watchTimeoutSeconds: 60 });
  await clock.advance(0);
  assert.equal(t.watchRequests.length, 1);
  await clock.advance(60_000 + WATCH_GRACE_MS - 1);
  assert.equal(t.watchRequests.length, 1, "kept while the server may still end it");
  await clock.advance(1);
  assert.equal(r.stalls, 1);
  assert.equal(t.watchRequests.length, 2, "reopened");
  assert.equal(t.watchRequests[1].query?.resourceVersion, "12", "from the last event, no relist");
  assert.equal(r.lists, 1);
  assert.equal(r.state, "SYNCED");
  await stop();
});

Deno.test("reflector calls onResync periodically while synced", async () => {
  const t = new ScriptedTransport();
  t.lists.push(listOf("1", cm("a", "1")));
  let resyncs = 0;
  const { clock, stop } = startReflector(t, { resyncMs: 60_000, onResync: () => resyncs++ });
  await clock.advance(180_000);
  assert.equal(resyncs, 3);
  await stop();
});
