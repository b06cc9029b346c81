/**
 * The manager's KEDA switch end to end, without a cluster: a real Manager
 * (its own CrdKedaDetector, Informers and work queue) over a FAKE API that
 * serves two FrappeDeployments, empty child lists, idle watches and KEDA's
 * CRDs as the test says (failing, absent or installed).
 */
import assert from "node:assert/strict";
import { KubeClient } from "../kube/client.ts";
import { apiErrorFrom } from "../kube/errors.ts";
import { FakeClock } from "../kube/fake_clock.ts";
import { createLogger } from "../kube/log.ts";
import type { KubeRequest, Transport } from "../kube/transport.ts";
import { DEFAULT_RECONCILE_OPTIONS } from "./deps.ts";
import { CrdKedaDetector } from "./keda.ts";
import { Manager } from "./manager.ts";

const RECHECK_MS = 60_000;
const FD_KEYS = ["t1/erp", "t2/shop"];

type CrdState = "failing" | "absent" | "installed";

/** A FAKE API server: CRD GETs answer per `crds`, lists are empty but FrappeDeployments, watches idle. */
class FakeApi implements Transport {
  crds: CrdState = "installed";
  readonly lists: string[] = [];
  readonly watches: KubeRequest[] = [];

  request(req: KubeRequest): Promise<unknown> {
    if (req.path.includes("/customresourcedefinitions/")) return this.#crd(req);
    if (req.method !== "GET") return Promise.reject(apiErrorFrom(405, "", req.method, req.path));
    this.lists.push(req.path);
    const items = req.path.endsWith("/frappedeployments") ? FD_KEYS.map(fd) : [];
    return Promise.resolve({ metadata: { resourceVersion: "1" }, items });
  }

  stream(req: KubeRequest): Promise<ReadableStream<Uint8Array>> {
    this.watches.push(req);
    return Promise.resolve(
      new ReadableStream({
        start(c) {
          req.signal?.addEventListener("abort", () => c.error(new DOMException("", "AbortError")));
        },
      }),
    );
  }

  close() {}

  /** Open (not aborted) watches of a resource, e.g. `scaledobjects`. */
  watching(plural: string): number {
    return this.watches.filter((w) => w.path.endsWith(`/${plural}`) && !w.signal?.aborted).length;
  }

  #crd(req: KubeRequest): Promise<unknown> {
    const name = req.path.split("/").pop()!;
    if (this.crds === "failing") return Promise.reject(apiErrorFrom(503, "", "GET", req.path));
    if (this.crds === "absent") return Promise.reject(apiErrorFrom(404, "", "GET", req.path));
    return Promise.resolve({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name },
      status: { conditions: [{ type: "Established", status: "True" }] },
    });
  }
}

function fd(key: string) {
  const [namespace, name] = key.split("/");
  return {
    apiVersion: "frappe-op.dev/v1alpha1",
    kind: "FrappeDeployment",
    metadata: { name, namespace, resourceVersion: "1" },
  };
}

/**
 * A running manager with no reconcile workers (concurrency 0), so keys stay
 * in its queue for the test to see; `drain` empties the queue.
 */
async function startManager(crds: CrdState) {
  const api = new FakeApi();
  api.crds = crds;
  const clock = new FakeClock();
  const client = new KubeClient(api);
  const keda = new CrdKedaDetector(client, clock, RECHECK_MS);
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ level: "debug", sink: (l) => lines.push(JSON.parse(l)) });
  const manager = new Manager({
    client,
    clock,
    log,
    keda,
    concurrency: 0,
    resyncMs: 0,
    kedaRecheckMs: RECHECK_MS,
    reconcile: DEFAULT_RECONCILE_OPTIONS,
  });
  const stop = new AbortController();
  const running = manager.run(stop.signal);
  await clock.advance(100); // informers list, the (idle) workers enqueue every key
  assert.ok(manager.informers.synced(), "informers synced");
  const drain = async () => {
    const keys: string[] = [];
    while (manager.queue.len() > 0) {
      const key = (await manager.queue.get())!;
      manager.queue.done(key);
      keys.push(key);
    }
    return keys.sort();
  };
  assert.deepEqual(await drain(), FD_KEYS, "every key is queued once at start");
  const shutdown = async () => {
    stop.abort();
    await clock.advance(0);
    assert.equal(await running, "stopped");
  };
  return { api, clock, keda, manager, lines, drain, shutdown };
}

Deno.test("manager: KEDA's first lookup fails, the next succeeds: its informers start and every key is re-queued", async () => {
  const m = await startManager("failing");
  assert.equal(m.api.watching("scaledobjects"), 0, "unknown: started without KEDA's informers");
  assert.ok(m.lines.some((l) => String(l.msg).startsWith("checking for KEDA failed; starting")));
  m.api.crds = "installed";
  await m.clock.advance(RECHECK_MS);
  assert.equal(m.api.watching("scaledobjects"), 1, "ScaledObject informer started");
  assert.equal(m.api.watching("triggerauthentications"), 1, "TriggerAuthentication informer");
  assert.ok(m.api.lists.some((p) => p.endsWith("/scaledobjects")));
  assert.deepEqual(await m.drain(), FD_KEYS, "every FrappeDeployment re-queued");
  assert.ok(m.lines.some((l) => l.msg === "KEDA found (first answer)" && l.available === true));
  await m.clock.advance(RECHECK_MS);
  assert.deepEqual(await m.drain(), [], "the same answer again changes nothing");
  assert.equal(m.api.watching("scaledobjects"), 1);
  await m.shutdown();
});

Deno.test("manager: a reconcile that learns of KEDA first (after a failed start) does not hide the switch", async () => {
  const m = await startManager("failing");
  m.api.crds = "installed";
  assert.equal(await m.keda.available(), true, "a reconcile asks the detector first");
  await m.clock.advance(RECHECK_MS);
  assert.equal(m.api.watching("scaledobjects"), 1, "the manager still switches");
  assert.deepEqual(await m.drain(), FD_KEYS);
  await m.shutdown();
});

Deno.test("manager: KEDA absent at start and installed later: its informers start and every key is re-queued", async () => {
  const m = await startManager("absent");
  assert.equal(m.api.watching("scaledobjects"), 0);
  await m.clock.advance(RECHECK_MS);
  assert.deepEqual(await m.drain(), [], "still absent: nothing to do");
  m.api.crds = "installed";
  await m.clock.advance(RECHECK_MS);
  assert.equal(m.api.watching("scaledobjects"), 1);
  assert.equal(m.api.watching("triggerauthentications"), 1);
  assert.deepEqual(await m.drain(), FD_KEYS);
  assert.ok(m.lines.some((l) => l.msg === "KEDA appeared"));
  await m.shutdown();
});

Deno.test("manager: a failed re-check keeps KEDA's informers and says so; a definite 'absent' stops them", async () => {
  const m = await startManager("installed");
  assert.equal(m.api.watching("scaledobjects"), 1);
  m.api.crds = "failing";
  await m.clock.advance(RECHECK_MS);
  assert.equal(m.api.watching("scaledobjects"), 1, "not flipped to absent");
  assert.equal(m.api.watching("triggerauthentications"), 1);
  assert.deepEqual(await m.drain(), []);
  const warn = m.lines.find((l) =>
    l.msg === "re-checking for KEDA failed; keeping the last known answer"
  );
  assert.ok(warn);
  assert.equal(warn.available, true);
  assert.match(String(warn.error), /looking up KEDA's CRDs.*503/);
  m.api.crds = "absent";
  await m.clock.advance(RECHECK_MS);
  assert.equal(m.api.watching("scaledobjects"), 0, "KEDA disappeared: informers stopped");
  assert.deepEqual(await m.drain(), FD_KEYS);
  await m.shutdown();
});
