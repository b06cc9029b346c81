import assert from "node:assert/strict";
import type { KubeObject } from "../kube/types.ts";
import { autoscaledWorkerReadiness, jobFailed, jobFinished, readinessOf } from "./readiness.ts";

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

Deno.test("jobs: finished only with Complete or Failed True (FailureTarget alone still runs)", () => {
  const job = (...conditions: [string, string][]): KubeObject => ({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "erp-migrate-1" },
    status: { conditions: conditions.map(([type, status]) => ({ type, status })) },
  });
  assert.equal(jobFinished(job()), false);
  assert.equal(jobFinished(job(["FailureTarget", "True"])), false, "pods may still terminate");
  assert.equal(jobFinished(job(["Complete", "False"])), false);
  assert.equal(jobFinished(job(["SuccessCriteriaMet", "True"], ["Complete", "True"])), true);
  assert.equal(jobFinished(job(["FailureTarget", "True"], ["Failed", "True"])), true);
  assert.equal(jobFailed(job(["FailureTarget", "True"], ["Failed", "True"])), true);
  assert.equal(jobFailed(job(["Complete", "True"])), false);
});
