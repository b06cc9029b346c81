import assert from "node:assert/strict";
import { KubeClient } from "../kube/client.ts";
import { apiErrorFrom } from "../kube/errors.ts";
import { FakeClock } from "../kube/fake_clock.ts";
import type { KubeRequest, Transport } from "../kube/transport.ts";
import { CrdKedaDetector } from "./keda.ts";

/** A FAKE transport answering CRD GETs from a set of established CRD names. */
class CrdTransport implements Transport {
  installed = new Set<string>();
  gets = 0;
  request(req: KubeRequest): Promise<unknown> {
    this.gets++;
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
}

Deno.test("KEDA detection is cached, re-checked after the TTL, and reports when KEDA appears", async () => {
  const t = new CrdTransport();
  const clock = new FakeClock();
  const keda = new CrdKedaDetector(new KubeClient(t), clock, 60_000);
  assert.equal(await keda.available(), false);
  const calls = t.gets;
  t.installed.add("scaledobjects.keda.sh");
  t.installed.add("triggerauthentications.keda.sh");
  assert.equal(await keda.available(), false, "cached");
  assert.equal(t.gets, calls);
  await clock.advance(60_000);
  assert.equal(await keda.available(), true, "re-checked after the TTL");
  t.installed.delete("triggerauthentications.keda.sh");
  assert.equal(await keda.refresh(), true, "a change is reported");
  assert.equal(await keda.available(), false, "both CRDs are needed");
  assert.equal(await keda.refresh(), false);
});
