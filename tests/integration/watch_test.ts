/**
 * The Reflector against the real API server when its resourceVersion has
 * expired: the server answers 410 Gone, the reflector relists and goes on.
 * Slow (~80 s: it waits out the watch cache's 75 s freshness window); set
 * FRAPPE_OP_SKIP_SLOW=1 to skip.
 */
import assert from "node:assert/strict";
import { KubeClient } from "../../kube/client.ts";
import { realClock } from "../../kube/clock.ts";
import { Reflector } from "../../kube/reflector.ts";
import { registerResource } from "../../kube/resources.ts";
import type { KubeRequest, Transport } from "../../kube/transport.ts";
import { eventually, withNamespace } from "../support/cluster.ts";
import { opts, sleep, testClient, testLogger } from "./operator_support.ts";

/** A CRD of its own, so the watch cache window this test moves is not shared. */
const TICK_CRD = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "ticks.watchtest.frappe-op.dev" },
  spec: {
    group: "watchtest.frappe-op.dev",
    names: { plural: "ticks", singular: "tick", kind: "Tick" },
    scope: "Namespaced",
    versions: [{
      name: "v1",
      served: true,
      storage: true,
      schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
    }],
  },
};

/**
 * Does `n` writes of Ticks. The API server's watch cache keeps a window of
 * recent events (capacity grows from 100 only while its oldest event is
 * younger than 75 s): after enough churn, a watch from an older
 * resourceVersion gets 410 Gone for real.
 */
async function churn(client: KubeClient, ns: string, n: number, from: number) {
  for (let i = from; i < from + n; i++) {
    await client.apply(
      {
        apiVersion: "watchtest.frappe-op.dev/v1",
        kind: "Tick",
        metadata: { name: `t${i % 20}`, namespace: ns },
        n: i,
      },
      { fieldManager: "test", force: true },
    );
  }
}

/** Rewrites the first watch's resourceVersion to a given (expired) one. */
class ExpiringTransport implements Transport {
  watches = 0;
  constructor(private readonly inner: Transport, private readonly staleVersion: string) {}
  request(req: KubeRequest) {
    return this.inner.request(req);
  }
  stream(req: KubeRequest) {
    const first = this.watches++ === 0;
    return this.inner.stream(
      first ? { ...req, query: { ...req.query, resourceVersion: this.staleVersion } } : req,
    );
  }
  close() {
    this.inner.close();
  }
}

Deno.test({
  name:
    "a watch survives an expired resourceVersion (410 Gone from the watch cache): relist, then events flow",
  ...opts,
  ignore: Deno.env.get("FRAPPE_OP_SKIP_SLOW") === "1",
  fn: async () => {
    const t = await testClient();
    const tick = {
      apiVersion: "watchtest.frappe-op.dev/v1",
      kind: "Tick",
      plural: "ticks",
      namespaced: true,
    };
    registerResource(tick);
    try {
      await t.client.apply(TICK_CRD, { fieldManager: "test", force: true });
      await withNamespace("op-watch", async (ns) => {
        await eventually("Tick served", async () => {
          await t.client.transport.request({
            method: "GET",
            path: `/apis/watchtest.frappe-op.dev/v1/namespaces/${ns}/ticks`,
          });
          return true;
        });
        const stale = await t.client.transport.request({
          method: "GET",
          path: `/apis/watchtest.frappe-op.dev/v1/namespaces/${ns}/ticks`,
        }) as { metadata: { resourceVersion: string } };
        await churn(t.client, ns, 60, 0);
        await sleep(76_000);
        await churn(t.client, ns, 120, 60);
        const transport = new ExpiringTransport(t.transport, stale.metadata.resourceVersion);
        const seen: string[] = [];
        const reflector = new Reflector({
          client: new KubeClient(transport),
          apiVersion: tick.apiVersion,
          kind: tick.kind,
          namespace: ns,
          clock: realClock,
          log: testLogger(),
          onChange: (type, o) => seen.push(`${type} ${o.metadata.name}`),
        });
        const stop = new AbortController();
        const running = reflector.run(stop.signal);
        await eventually(
          "relisted after 410",
          () => Promise.resolve(reflector.lists >= 2 ? true : undefined),
        );
        await t.client.apply(
          {
            apiVersion: tick.apiVersion,
            kind: tick.kind,
            metadata: { name: "after", namespace: ns },
          },
          { fieldManager: "test" },
        );
        await eventually(
          "event after relist",
          () => Promise.resolve(seen.includes("added after") ? true : undefined),
        );
        assert.equal(reflector.expirations, 1, "the server answered 410 Gone");
        assert.equal(reflector.list().length, 21);
        stop.abort();
        await running;
      });
    } finally {
      t.close();
    }
  },
});
