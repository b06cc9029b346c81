import assert from "node:assert/strict";
import type { KubeObject } from "../kube/types.ts";
import { autoscaledWorkerReadiness, readinessOf } from "./readiness.ts";

function worker(progressingReason: string, replicas: number, ready: number): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "erp-worker-short", namespace: "t", generation: 4 },
    spec: { replicas },
    status: {
      observedGeneration: 4,
      replicas,
      updatedReplicas: ready,
      readyReplicas: ready,
      availableReplicas: ready,
      conditions: [{ type: "Progressing", status: "True", reason: progressingReason }],
    },
  };
}

Deno.test("readiness: a KEDA scale-up of a rolled-out worker is not 'not ready'", () => {
  const scaling = worker("NewReplicaSetAvailable", 3, 0);
  assert.equal(readinessOf(scaling).ready, false, "as a plain Deployment it would be");
  const r = autoscaledWorkerReadiness(scaling);
  assert.equal(r.ready, true);
  assert.equal(r.message, "Deployment erp-worker-short: 0/3 replicas ready (autoscaled)");
});

Deno.test("readiness: an autoscaled worker whose template rolls out is not ready", () => {
  const rolling = worker("ReplicaSetUpdated", 2, 1);
  assert.deepEqual(autoscaledWorkerReadiness(rolling), {
    ready: false,
    message: "Deployment erp-worker-short: 1/2 replicas updated",
  });
  assert.equal(autoscaledWorkerReadiness(worker("ReplicaSetUpdated", 2, 2)).ready, true);
});
