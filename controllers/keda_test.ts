import assert from "node:assert/strict";
import { KubeClient } from "../kube/client.ts";
import { apiErrorFrom, errorChain } from "../kube/errors.ts";
import { FakeClock } from "../kube/fake_clock.ts";
import { createLogger, type Logger, nullLogger } from "../kube/log.ts";
import type { KubeRequest, Transport } from "../kube/transport.ts";
import { CrdKedaDetector, decideKeda, type KedaDetector, KedaSwitch } from "./keda.ts";

/** A FAKE transport answering CRD GETs from a set of established CRD names; `failing` answers 503. */
class CrdTransport implements Transport {
  installed = new Set<string>();
  failing = false;
  gets = 0;
  request(req: KubeRequest): Promise<unknown> {
    this.gets++;
    if (this.failing) return Promise.reject(apiErrorFrom(503, "", "GET", req.path));
    const name = req.path.split("/").pop()!;
    if (!this.installed.has(name)) return Promise.reject(apiErrorFrom(404, "", "GET", req.path));
    return Promise.resolve({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name },
      status: { conditions: [{ type: "Established", status: "True" }] },
    });
  }
  stream(): Promise<ReadableStream<Uint8Array>> {
    return Promise.reject(new Error("no watch"));
  }
  close() {}
  install() {
    this.installed.add("scaledobjects.keda.sh");
    this.installed.add("triggerauthentications.keda.sh");
  }
}

/** A logger keeping its lines (JSON) for assertions. */
function capturingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ level: "debug", sink: (line) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

Deno.test("KEDA detection is cached, re-checked after the TTL, and reports when KEDA appears", async () => {
  const t = new CrdTransport();
  const clock = new FakeClock();
  const keda = new CrdKedaDetector(new KubeClient(t), clock, 60_000);
  assert.equal(await keda.available(), false);
  const calls = t.gets;
  t.install();
  assert.equal(await keda.available(), false, "cached");
  assert.equal(t.gets, calls);
  await clock.advance(60_000);
  assert.equal(await keda.available(), true, "re-checked after the TTL");
  t.installed.delete("triggerauthentications.keda.sh");
  assert.equal(await keda.refresh(), true, "a change is reported");
  assert.equal(await keda.available(), false, "both CRDs are needed");
  assert.equal(await keda.refresh(), false);
});

Deno.test("KEDA detection: the first answer after a failed first lookup is reported as a change", async () => {
  const t = new CrdTransport();
  t.failing = true;
  t.install();
  const keda = new CrdKedaDetector(new KubeClient(t), new FakeClock(), 60_000);
  await assert.rejects(keda.available(), (err: Error) => {
    assert.match(errorChain(err), /looking up KEDA's CRDs .*: caused by: .*503/);
    return true;
  }, "no answer known yet: the failure is not turned into 'absent'");
  await assert.rejects(keda.refresh(), /looking up KEDA's CRDs/);
  t.failing = false;
  assert.equal(await keda.refresh(), true, "unknown -> installed is a change");
  assert.equal(await keda.available(), true);
  assert.equal(await keda.refresh(), false);
});

Deno.test("KEDA detection: a first answer of 'absent' after unknown is a change too", async () => {
  const t = new CrdTransport();
  const keda = new CrdKedaDetector(new KubeClient(t), new FakeClock(), 60_000);
  assert.equal(await keda.refresh(), true);
  assert.equal(await keda.refresh(), false);
});

Deno.test("KEDA detection: a transient failure keeps the last known answer and says so", async () => {
  const t = new CrdTransport();
  t.install();
  const clock = new FakeClock();
  const { log, lines } = capturingLogger();
  const keda = new CrdKedaDetector(new KubeClient(t), clock, 60_000, log);
  assert.equal(await keda.available(), true);
  t.failing = true;
  await assert.rejects(keda.refresh(), /looking up KEDA's CRDs/);
  await clock.advance(60_000);
  assert.equal(await keda.available(), true, "not flipped to absent");
  assert.equal(lines.length, 1);
  assert.equal(lines[0].level, "warn");
  assert.equal(lines[0].msg, "checking for KEDA failed; keeping the last known answer");
  assert.equal(lines[0].available, true);
  assert.match(String(lines[0].error), /503/);
  const calls = t.gets;
  assert.equal(await keda.available(), true);
  assert.equal(t.gets, calls, "the failed check is retried after the TTL, not on every call");
  t.failing = false;
  t.installed.clear();
  await clock.advance(60_000);
  assert.equal(await keda.available(), false, "a definite answer still wins");
});

Deno.test("decideKeda: the first definite answer switches; a failed look keeps the last known answer", () => {
  assert.deepEqual(decideKeda(undefined, true), { action: "switch", available: true, first: true });
  assert.deepEqual(decideKeda(undefined, false), {
    action: "switch",
    available: false,
    first: true,
  });
  assert.deepEqual(decideKeda(false, true), { action: "switch", available: true, first: false });
  assert.deepEqual(decideKeda(true, false), { action: "switch", available: false, first: false });
  assert.deepEqual(decideKeda(true, true), { action: "keep", available: true, failed: false });
  assert.deepEqual(decideKeda(false, false), { action: "keep", available: false, failed: false });
  assert.deepEqual(decideKeda(true, undefined), { action: "keep", available: true, failed: true });
  assert.deepEqual(decideKeda(false, undefined), {
    action: "keep",
    available: false,
    failed: true,
  });
  assert.deepEqual(decideKeda(undefined, undefined), {
    action: "keep",
    available: undefined,
    failed: true,
  });
});

/**
 * A FAKE detector: each lookup (`refresh`, or the first `available`) takes
 * the next scripted answer (an Error fails it); the last one repeats.
 * `available` then returns the answer last looked up. Its `refresh` always
 * says "no change", as the old detector did after a failed first lookup, so
 * the switch must not rely on it.
 */
class FakeKedaDetector implements KedaDetector {
  #answer: boolean | Error | undefined;
  constructor(private readonly script: (boolean | Error)[]) {}
  refresh(): Promise<boolean> {
    this.#answer = this.script.length > 1 ? this.script.shift()! : this.script[0];
    return this.#answer instanceof Error ? Promise.reject(this.#answer) : Promise.resolve(false);
  }
  async available(): Promise<boolean> {
    if (this.#answer === undefined) await this.refresh();
    if (this.#answer instanceof Error) throw this.#answer;
    return this.#answer!;
  }
}

function kedaSwitch(script: (boolean | Error)[], log: Logger = nullLogger) {
  const applied: boolean[] = [];
  const s = new KedaSwitch({
    keda: new FakeKedaDetector(script),
    log,
    apply: (a) => applied.push(a),
  });
  return { s, applied };
}

Deno.test("KedaSwitch: a failed first check, then KEDA answers: the informers switch on", async () => {
  const { log, lines } = capturingLogger();
  const { s, applied } = kedaSwitch([new Error("apiserver unreachable"), true], log);
  assert.equal(await s.initial(), false, "informers start without KEDA's kinds");
  assert.equal(s.known, undefined, "but KEDA is unknown, not absent");
  assert.match(
    lines[0].msg as string,
    /checking for KEDA failed; starting without KEDA's informers/,
  );
  const d = await s.recheck();
  assert.deepEqual(d, { action: "switch", available: true, first: true });
  assert.deepEqual(applied, [true], "KEDA's informers start and every key is re-queued");
  assert.equal(s.known, true);
  assert.equal((await s.recheck()).action, "keep");
  assert.deepEqual(applied, [true], "no second switch");
});

Deno.test("KedaSwitch: a failed first check, then 'absent' still switches once (re-queue)", async () => {
  const { s, applied } = kedaSwitch([new Error("timeout"), false]);
  assert.equal(await s.initial(), false);
  await s.recheck();
  assert.deepEqual(applied, [false]);
  assert.equal(s.known, false);
  await s.recheck();
  assert.deepEqual(applied, [false]);
});

Deno.test("KedaSwitch: KEDA appearing later switches; a transient failure keeps the answer", async () => {
  const { log, lines } = capturingLogger();
  const { s, applied } = kedaSwitch(
    [false, false, true, new Error("503"), true, false],
    log,
  );
  assert.equal(await s.initial(), false);
  assert.equal(s.known, false);
  await s.recheck();
  assert.deepEqual(applied, [], "still absent");
  await s.recheck();
  assert.deepEqual(applied, [true], "KEDA appeared");
  assert.ok(lines.some((l) => l.msg === "KEDA appeared"));
  const kept = await s.recheck();
  assert.deepEqual(kept, { action: "keep", available: true, failed: true });
  assert.deepEqual(applied, [true], "a failed look does not turn KEDA absent");
  const warn = lines.find((l) =>
    l.msg === "re-checking for KEDA failed; keeping the last known answer"
  );
  assert.ok(warn, "the failure and the kept answer are logged");
  assert.equal(warn.available, true);
  await s.recheck();
  assert.deepEqual(applied, [true]);
  await s.recheck();
  assert.deepEqual(applied, [true, false], "KEDA disappeared");
});
