/**
 * One KEDA ScaledObject per autoscaled worker type. Per served queue it has
 * two `redis` triggers on the exact keys Frappe v14+ uses (apis/naming.ts):
 *
 * - `rq:queue:<bench>:<q>` (LIST, LLEN): waiting jobs; target `queueLength`
 *   per replica; activation "0" so the first waiting job wakes the worker
 *   (KEDA is active only when the length is STRICTLY greater).
 * - `rq:wip:<bench>:<q>` (StartedJobRegistry, a ZSET: the scaler's Lua uses
 *   ZCARD): running jobs; target 1 per replica, so desired replicas never
 *   drop below the jobs in flight, and KEDA never goes to 0 while one runs
 *   (the list alone reads 0 as soon as the last job is taken).
 *
 * The HPA behaviour makes `cooldownPeriod` real for N -> min too (KEDA's own
 * cooldown only covers 1 -> 0) and lets scale-up jump to max in one step.
 */
import type { FrappeDeployment } from "../../apis/frappedeployment.ts";
import {
  type HpaBehavior,
  KEDA_API_VERSION,
  type RedisTrigger,
  type ScaledObject,
} from "../../apis/keda.ts";
import { queueKey, startedKey } from "../../apis/naming.ts";
import type { Autoscaling } from "../../apis/workers.ts";
import { objectMeta } from "./common.ts";
import type { QueueRedisConnection } from "./triggerauth.ts";
import {
  scaledObjectName,
  WORKER_LABEL,
  workerComponent,
  workerDeploymentName,
} from "./worker_names.ts";

/** The HPA accepts a stabilization window of at most one hour. */
export const HPA_MAX_STABILIZATION_SECONDS = 3600;
/** Period of the HPA scaling policies (the HPA's own default). */
export const HPA_POLICY_PERIOD_SECONDS = 15;

export interface ScaledWorker {
  /** short, long, default or a custom name. */
  type: string;
  /** Queues the worker serves. */
  queues: string[];
  autoscaling: Autoscaling;
}

/**
 * Scale-down waits `cooldownPeriod` (capped at the HPA's 3600 s) of lower
 * demand, then may drop to the recommendation at once; scale-up has no
 * window and may add up to maxReplicas pods (or double) every 15 s.
 */
export function hpaBehavior(a: Autoscaling): HpaBehavior {
  return {
    scaleDown: {
      stabilizationWindowSeconds: Math.min(a.cooldownPeriod, HPA_MAX_STABILIZATION_SECONDS),
      selectPolicy: "Max",
      policies: [{ type: "Percent", value: 100, periodSeconds: HPA_POLICY_PERIOD_SECONDS }],
    },
    scaleUp: {
      stabilizationWindowSeconds: 0,
      selectPolicy: "Max",
      policies: [
        { type: "Pods", value: a.maxReplicas, periodSeconds: HPA_POLICY_PERIOD_SECONDS },
        { type: "Percent", value: 100, periodSeconds: HPA_POLICY_PERIOD_SECONDS },
      ],
    },
  };
}

/** The two triggers of one queue; `authName` undefined when Redis has no password. */
export function queueTriggers(
  benchId: string,
  queue: string,
  a: Autoscaling,
  conn: QueueRedisConnection,
  authName: string | undefined,
): RedisTrigger[] {
  const common: Record<string, string> = {
    address: conn.address,
    databaseIndex: String(conn.databaseIndex),
    activationListLength: "0",
    ...(conn.tls ? { enableTLS: "true" } : {}),
  };
  const auth = authName === undefined ? {} : { authenticationRef: { name: authName } };
  return [
    {
      type: "redis",
      name: `${queue}-waiting`,
      metadata: {
        ...common,
        listName: queueKey(benchId, queue),
        listLength: String(a.queueLength),
      },
      ...auth,
    },
    {
      type: "redis",
      name: `${queue}-running`,
      metadata: { ...common, listName: startedKey(benchId, queue), listLength: "1" },
      ...auth,
    },
  ];
}

export function renderScaledObject(
  fd: FrappeDeployment,
  benchId: string,
  worker: ScaledWorker,
  conn: QueueRedisConnection,
  authName: string | undefined,
): ScaledObject {
  const a = worker.autoscaling;
  return {
    apiVersion: KEDA_API_VERSION,
    kind: "ScaledObject",
    metadata: objectMeta(fd, scaledObjectName(fd, worker.type), workerComponent(worker.type), {
      labels: { [WORKER_LABEL]: worker.type },
    }),
    spec: {
      scaleTargetRef: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: workerDeploymentName(fd, worker.type),
      },
      pollingInterval: a.pollingInterval,
      cooldownPeriod: a.cooldownPeriod,
      minReplicaCount: a.minReplicas,
      maxReplicaCount: a.maxReplicas,
      advanced: {
        // false: deleting the ScaledObject (autoscaling switched off) leaves the
        // count alone and the operator applies the static replicas itself.
        restoreToOriginalReplicaCount: false,
        horizontalPodAutoscalerConfig: { behavior: hpaBehavior(a) },
      },
      triggers: worker.queues.flatMap((q) => queueTriggers(benchId, q, a, conn, authName)),
    },
  };
}
