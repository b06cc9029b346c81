/**
 * What `frappe-op status` shows for one FrappeDeployment, built from the
 * object alone (pure): its status as the operator reported it (modes,
 * replicas, the queue depths it read), completed from the spec where the
 * status says nothing (the min..max of each worker, the workers of a
 * FrappeDeployment the operator has not reconciled yet).
 */
import { applyAutoscalingDefault, autoscalingDefaultFor } from "../apis/autoscaling_default.ts";
import { ConditionType } from "../apis/conditions.ts";
import {
  benchIdOf,
  type FrappeDeployment,
  parseFrappeDeployment,
} from "../apis/frappedeployment.ts";
import { servedQueues } from "../apis/queues.ts";
import { defaultBenchId } from "../apis/naming.ts";
import type { WorkerStatus } from "../apis/status.ts";
import type { Condition, KubeObject } from "../kube/types.ts";
import { type WorkerModeInfo, workerModes } from "../controllers/render/workers.ts";

export interface WorkerRow {
  type: string;
  /** autoscaled, static, static-fallback; `unknown` when neither status nor spec says. */
  mode: string;
  replicas?: number;
  readyReplicas?: number;
  minReplicas?: number;
  maxReplicas?: number;
  /** Queues the worker serves (from the spec). */
  queues: string[];
  /** Jobs waiting, summed over the worker's queues. */
  queueDepth?: number;
  /** Jobs being executed. */
  running?: number;
  /** Where queueDepth/running came from. */
  depthSource?: "status" | "redis";
}

export interface FdView {
  namespace: string;
  name: string;
  phase?: string;
  generation?: number;
  observedGeneration?: number;
  benchId: string;
  createdAt?: string;
  conditions: Condition[];
  workers: WorkerRow[];
  /** Validation errors of the spec as stored (the operator reports them as InvalidSpec). */
  specErrors?: string[];
}

/** The spec with defaults, as the reconciler sees it; undefined when it does not validate. */
function specOf(obj: KubeObject): { fd?: FrappeDeployment; errors?: string[] } {
  const parsed = parseFrappeDeployment(obj);
  if (!parsed.ok) return { errors: parsed.errors };
  // The operator pins its default in an annotation; without one, assume the flag's default (off).
  const on = autoscalingDefaultFor(parsed.value, false);
  return { fd: applyAutoscalingDefault(parsed.value, on) };
}

function kedaAvailable(conditions: Condition[]): boolean {
  return conditions.find((c) => c.type === ConditionType.KedaAvailable)?.status !== "False";
}

/** The mode the operator wrote; from the spec when it has not written one yet. */
function modeOf(reported: WorkerStatus | undefined, planned: WorkerModeInfo | undefined): string {
  return reported?.mode ?? planned?.mode ?? "unknown";
}

function bounds(
  planned: WorkerModeInfo | undefined,
): { minReplicas?: number; maxReplicas?: number } {
  if (!planned) return {};
  if (planned.mode === "autoscaled") {
    return { minReplicas: planned.minReplicas, maxReplicas: planned.maxReplicas };
  }
  return { minReplicas: planned.replicas, maxReplicas: planned.replicas };
}

function workerRows(fd: FrappeDeployment | undefined, obj: KubeObject, conditions: Condition[]) {
  const reported: WorkerStatus[] = obj.status?.workers ?? [];
  const planned = fd ? workerModes(fd, { kedaAvailable: kedaAvailable(conditions) }) : [];
  const queues = fd ? servedQueues(fd).workers : [];
  const types = [...planned.map((p) => p.type)];
  for (const r of reported) if (!types.includes(r.type)) types.push(r.type);
  return types.map((type): WorkerRow => {
    const r = reported.find((w) => w.type === type);
    const p = planned.find((w) => w.type === type);
    const hasDepth = r?.queueDepth !== undefined || r?.running !== undefined;
    return {
      type,
      mode: modeOf(r, p),
      replicas: r?.replicas,
      readyReplicas: r?.readyReplicas,
      ...bounds(p),
      queues: queues.find((q) => q.type === type)?.queues ?? [],
      queueDepth: r?.queueDepth,
      running: r?.running,
      depthSource: hasDepth ? "status" : undefined,
    };
  });
}

export function viewOf(obj: KubeObject): FdView {
  const { fd, errors } = specOf(obj);
  const namespace = obj.metadata.namespace ?? "default";
  const conditions: Condition[] = obj.status?.conditions ?? [];
  return {
    namespace,
    name: obj.metadata.name,
    phase: obj.status?.phase,
    generation: obj.metadata.generation,
    observedGeneration: obj.status?.observedGeneration,
    benchId: obj.status?.benchId ??
      (fd ? benchIdOf(fd) : defaultBenchId(namespace, obj.metadata.name)),
    createdAt: obj.metadata.creationTimestamp,
    conditions,
    workers: workerRows(fd, obj, conditions),
    ...(errors ? { specErrors: errors } : {}),
  };
}
