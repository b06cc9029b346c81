/**
 * Whether a live child is ready, for the phase gates and the status. Objects
 * without a rollout (Secrets, Services, PVCs, KEDA objects, ...) are ready
 * once they exist.
 */
import type { KubeObject } from "../kube/types.ts";

export interface Readiness {
  ready: boolean;
  /** A Job that failed for good: needs a person. */
  failed?: boolean;
  message: string;
}

export function readinessOf(obj: KubeObject): Readiness {
  switch (obj.kind) {
    case "Deployment":
    case "StatefulSet":
      return workloadReadiness(obj);
    case "Job":
      return jobReadiness(obj);
    default:
      return { ready: true, message: "exists" };
  }
}

/** Desired and ready replicas of a Deployment or StatefulSet. */
export function replicaCounts(obj: KubeObject): { desired: number; ready: number } {
  return {
    desired: obj.spec?.replicas ?? 1,
    ready: obj.status?.readyReplicas ?? 0,
  };
}

/**
 * An autoscaled worker Deployment: KEDA's HPA changes its replica count all
 * the time, and a scale-up is not a rollout. While the Deployment controller
 * reports the current ReplicaSet as rolled out (Progressing /
 * NewReplicaSetAvailable, which a scale leaves alone), it counts as ready;
 * a template rollout in progress is judged like any Deployment.
 */
export function autoscaledWorkerReadiness(obj: KubeObject): Readiness {
  const conditions = (obj.status?.conditions ?? []) as { type: string; reason?: string }[];
  const progressing = conditions.find((c) => c.type === "Progressing");
  if (progressing?.reason !== "NewReplicaSetAvailable") return workloadReadiness(obj);
  const { desired, ready } = replicaCounts(obj);
  return {
    ready: true,
    message: `${obj.kind} ${obj.metadata.name}: ${ready}/${desired} replicas ready (autoscaled)`,
  };
}

function workloadReadiness(obj: KubeObject): Readiness {
  const name = `${obj.kind} ${obj.metadata.name}`;
  const generation = obj.metadata.generation ?? 0;
  const observed = obj.status?.observedGeneration ?? 0;
  if (observed < generation) return { ready: false, message: `${name}: rollout not yet observed` };
  const { desired, ready } = replicaCounts(obj);
  const updated = obj.status?.updatedReplicas ?? 0;
  const available = obj.status?.availableReplicas ?? (obj.kind === "StatefulSet" ? ready : 0);
  if (updated < desired) {
    return { ready: false, message: `${name}: ${updated}/${desired} replicas updated` };
  }
  if (ready < desired || available < desired) {
    return { ready: false, message: `${name}: ${ready}/${desired} replicas ready` };
  }
  return { ready: true, message: `${name}: ${ready}/${desired} replicas ready` };
}

interface JobCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

function jobCondition(obj: KubeObject, type: string): JobCondition | undefined {
  const conditions: JobCondition[] = obj.status?.conditions ?? [];
  return conditions.find((c) => c.type === type && c.status === "True");
}

/**
 * A Job that has finished: Complete or Failed. Either is set only once no pod
 * of the Job is active (the API server rejects a finished Job with active or
 * terminating pods), so nothing of it still runs.
 */
export function jobFinished(obj: KubeObject): boolean {
  return jobCondition(obj, "Complete") !== undefined || jobFailed(obj);
}

export function jobFailed(obj: KubeObject): boolean {
  return jobCondition(obj, "Failed") !== undefined;
}

function jobReadiness(obj: KubeObject): Readiness {
  const name = `Job ${obj.metadata.name}`;
  const isTrue = (type: string) => jobCondition(obj, type);
  if (isTrue("Complete")) return { ready: true, message: `${name} succeeded` };
  const failed = isTrue("Failed");
  if (failed) {
    const why = [failed.reason, failed.message].filter(Boolean).join(": ");
    return { ready: false, failed: true, message: `${name} failed${why ? `: ${why}` : ""}` };
  }
  const active = obj.status?.active ?? 0;
  return { ready: false, message: `${name}: running (${active} active pod(s))` };
}
