/**
 * The spec.replicas handover of autoscaled workers (FACTS.md section 7): the
 * operator never owns replicas of an autoscaled worker, never resets what the
 * autoscaler set, and owns them again (explicitly) when the worker is static.
 */
import assert from "node:assert/strict";
import type { KubeClient } from "../../kube/client.ts";
import { MERGE_PATCH } from "../../kube/transport.ts";
import type { KubeObject } from "../../kube/types.ts";
import { appliesField } from "../../controllers/replicas.ts";
import { withNamespace } from "../support/cluster.ts";
import {
  ensureNodeAgent,
  frappeDeployment,
  IDLE_WORKERS,
  installCrd,
  keyOf,
  reconcileDeps,
  reconcileUntil,
  testClient,
} from "./operator_support.ts";

const WORKER = "erp-worker-short";

function spec(short: Record<string, unknown>) {
  return { workers: { ...IDLE_WORKERS, short } };
}
const autoscaled = spec({ autoscaling: { enabled: true, minReplicas: 0, maxReplicas: 4 } });
const staticOne = spec({ replicas: 1, autoscaling: { enabled: false } });

function worker(client: KubeClient, ns: string) {
  return client.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: ns, name: WORKER });
}

function scaledObject(client: KubeClient, ns: string) {
  return client.get({
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    namespace: ns,
    name: WORKER,
  });
}

const owners = (d: KubeObject) => ({
  operator: appliesField(d, "frappe-op", ["spec", "replicas"]),
  handover: appliesField(d, "frappe-op-replicas", ["spec", "replicas"]),
});

/** What KEDA's HPA does: PATCH the /scale subresource. */
async function scaleLikeHpa(client: KubeClient, ns: string, replicas: number) {
  await client.transport.request({
    method: "PATCH",
    path: `/apis/apps/v1/namespaces/${ns}/deployments/${WORKER}/scale`,
    query: { fieldManager: "keda-hpa-simulated" },
    body: { spec: { replicas } },
    contentType: MERGE_PATCH,
  });
}

Deno.test({
  name: "replicas: handed to the autoscaler, kept across reconciles, owned again when static",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const { client, transport, close } = await testClient();
    await installCrd(client);
    await ensureNodeAgent();
    const deps = reconcileDeps(client);
    try {
      await withNamespace("op-replicas", async (ns) => {
        const key = keyOf(ns, "erp");
        const hasWorker = async () => (await worker(client, ns)) !== undefined;
        await client.apply(frappeDeployment(ns, "erp", autoscaled), {
          fieldManager: "test",
          force: true,
        });
        await reconcileUntil(key, deps, transport, hasWorker);
        let d = (await worker(client, ns))!;
        assert.equal(d.spec.replicas, 0, "created at minReplicas, not defaulted to 1");
        assert.deepEqual(owners(d), { operator: false, handover: true });
        const so = (await scaledObject(client, ns))!;
        assert.equal(so.spec.minReplicaCount, 0);
        assert.equal(so.spec.maxReplicaCount, 4);

        await scaleLikeHpa(client, ns, 3);
        const generation = (await worker(client, ns))!.metadata.generation;
        await reconcileUntil(key, deps, transport, () => true);
        d = (await worker(client, ns))!;
        assert.equal(d.spec.replicas, 3, "the autoscaler's count survives reconciles");
        assert.equal(d.metadata.generation, generation, "the Deployment was not written");
        assert.equal(owners(d).operator, false);

        await client.apply(frappeDeployment(ns, "erp", staticOne), {
          fieldManager: "test",
          force: true,
        });
        await reconcileUntil(
          key,
          deps,
          transport,
          async () => (await scaledObject(client, ns)) === undefined,
        );
        d = (await worker(client, ns))!;
        assert.equal(d.spec.replicas, 1, "static: the operator sets replicas explicitly");
        assert.equal(owners(d).operator, true);

        await client.apply(frappeDeployment(ns, "erp", autoscaled), {
          fieldManager: "test",
          force: true,
        });
        await reconcileUntil(
          key,
          deps,
          transport,
          async () => (await scaledObject(client, ns)) !== undefined,
        );
        d = (await worker(client, ns))!;
        assert.equal(d.spec.replicas, 1, "switching to autoscaled keeps the current count");
        assert.deepEqual(owners(d), { operator: false, handover: true });
      });
    } finally {
      close();
    }
  },
});
