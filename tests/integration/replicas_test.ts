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
import {
  applyFd,
  deployment,
  getObject,
  IDLE_WORKERS,
  keyOf,
  operatorTest,
  reconcileDeps,
  reconcileUntil,
} from "./operator_support.ts";

const WORKER = "erp-worker-short";

function spec(short: Record<string, unknown>) {
  return { workers: { ...IDLE_WORKERS, short } };
}
const autoscaled = spec({ autoscaling: { enabled: true, minReplicas: 0, maxReplicas: 4 } });
const staticOne = spec({ replicas: 1, autoscaling: { enabled: false } });

const worker = (client: KubeClient, ns: string) => deployment(client, ns, WORKER);
const scaledObject = (client: KubeClient, ns: string) =>
  getObject(client, "keda.sh/v1alpha1", "ScaledObject", ns, WORKER);

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

operatorTest(
  "replicas: handed to the autoscaler, kept across reconciles, owned again when static",
  { namespace: "op-replicas" },
  async ({ client, transport, ns }) => {
    const deps = reconcileDeps(client);
    const key = keyOf(ns, "erp");
    /** Applies `spec` and reconciles until the ScaledObject exists (or is gone), as `scaled` says. */
    const switchTo = async (spec: Record<string, unknown>, scaled: boolean) => {
      await applyFd(client, ns, "erp", spec);
      await reconcileUntil(
        key,
        deps,
        transport,
        async () => ((await scaledObject(client, ns)) !== undefined) === scaled,
      );
    };
    const hasWorker = async () => (await worker(client, ns)) !== undefined;
    await applyFd(client, ns, "erp", autoscaled);
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

    await switchTo(staticOne, false);
    d = (await worker(client, ns))!;
    assert.equal(d.spec.replicas, 1, "static: the operator sets replicas explicitly");
    assert.equal(owners(d).operator, true);

    await switchTo(autoscaled, true);
    d = (await worker(client, ns))!;
    assert.equal(d.spec.replicas, 1, "switching to autoscaled keeps the current count");
    assert.deepEqual(owners(d), { operator: false, handover: true });
  },
);
