/**
 * Turns what a reconcile did and saw into the status observation: phase,
 * Ready/Progressing/Degraded/KedaAvailable/Autoscaling/QueuesObserved
 * conditions, components, workers (with their queue depths) and sites.
 * Children are judged by their live state (controllers/live.ts: applied in
 * this pass, or cached when a gate stopped the rollout before them).
 */
import { ConditionReason as R, ConditionType as T } from "../apis/conditions.ts";
import { benchIdOf, type FrappeDeployment } from "../apis/frappedeployment.ts";
import type { KubeObject } from "../kube/types.ts";
import type { RenderContext, RenderPhase } from "./render/mod.ts";
import { workerDeploymentName } from "./render/worker_names.ts";
import { REPLICAS_MANAGED_BY_ANNOTATION, workerModes } from "./render/workers.ts";
import { autoscaledWorkerReadiness, readinessOf, replicaCounts } from "./readiness.ts";
import type { QueueObservation } from "./queue_read.ts";
import { childId, type RolloutResult } from "./rollout.ts";
import type { Observation, ObservedCondition } from "./status.ts";

/** What reconcile saw besides the rollout itself. */
export interface Seen {
  /** Live state of the rendered children, by `Kind/name`. */
  live: Map<string, KubeObject>;
  queues: QueueObservation;
}

const cond = (type: string, ok: boolean, reason: string, message: string): ObservedCondition => ({
  type,
  status: ok ? "True" : "False",
  reason,
  message,
});

export function observe(
  fd: FrappeDeployment,
  phases: RenderPhase[],
  rollout: RolloutResult,
  ctx: RenderContext,
  seen: Seen,
): Observation {
  const { live: liveOf } = seen;
  const objects = phases.flatMap((p) => p.objects);
  const workloads = objects.filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet");
  const notReady = workloads
    .map((o) => {
      const live = liveOf.get(childId(o));
      if (!live) return { ready: false, message: "not created yet" };
      return isAutoscaled(o) ? autoscaledWorkerReadiness(live) : readinessOf(live);
    })
    .filter((r) => !r.ready);
  const { phase, ready, progressing, degraded } = lifecycle(
    rollout,
    notReady.map((r) => r.message),
  );
  return {
    phase,
    conditions: [
      ready,
      progressing,
      degraded,
      kedaCondition(fd, ctx),
      autoscalingCondition(objects, liveOf),
      // Absent before the queue observer's first read: status keeps what it has.
      ...(seen.queues.condition ? [seen.queues.condition] : []),
    ],
    benchId: benchIdOf(fd),
    components: workloads.map((o) => componentStatus(o, liveOf.get(childId(o)))),
    workers: workersStatus(fd, ctx, seen),
    sites: sitesStatus(fd, phases, liveOf),
    imageMigrated: migratedImage(fd, phases, liveOf),
  };
}

/** A worker Deployment whose replica count KEDA owns (rendered without spec.replicas). */
function isAutoscaled(desired: KubeObject): boolean {
  return desired.metadata.annotations?.[REPLICAS_MANAGED_BY_ANNOTATION] === "keda";
}

function lifecycle(rollout: RolloutResult, notReady: string[]) {
  if (rollout.failed) {
    const msg = rollout.failed.message;
    return {
      phase: "Degraded" as const,
      ready: cond(T.Ready, false, R.JobFailed, msg),
      progressing: cond(T.Progressing, false, R.JobFailed, msg),
      degraded: cond(T.Degraded, true, R.JobFailed, msg),
    };
  }
  const healthy = cond(T.Degraded, false, R.Reconciled, "no failures");
  if (rollout.waiting) {
    const reason = rollout.waiting.phase === "data" ? R.WaitingForDataStores : R.WaitingForJobs;
    const msg = `waiting for phase ${rollout.waiting.phase}: ${rollout.waiting.message}`;
    return {
      phase: "Progressing" as const,
      ready: cond(T.Ready, false, reason, msg),
      progressing: cond(T.Progressing, true, reason, msg),
      degraded: healthy,
    };
  }
  if (notReady.length > 0) {
    const msg = notReady.join("; ");
    return {
      phase: "Progressing" as const,
      ready: cond(T.Ready, false, R.ComponentsNotReady, msg),
      progressing: cond(T.Progressing, true, R.RollingOut, msg),
      degraded: healthy,
    };
  }
  return {
    phase: "Ready" as const,
    ready: cond(T.Ready, true, R.AllComponentsReady, "every component is ready"),
    progressing: cond(T.Progressing, false, R.Reconciled, "rollout complete"),
    degraded: healthy,
  };
}

function kedaCondition(fd: FrappeDeployment, ctx: RenderContext): ObservedCondition {
  if (ctx.kedaAvailable) return cond(T.KedaAvailable, true, R.KedaInstalled, "KEDA CRDs found");
  const fallback = workerModes(fd, ctx).filter((w) => w.mode === "static-fallback");
  const msg = fallback.length === 0
    ? "KEDA is not installed"
    : `KEDA is not installed: workers ${fallback.map((w) => w.type).join(", ")} ` +
      "run with static replicas until it is";
  return cond(T.KedaAvailable, false, R.KedaNotInstalled, msg);
}

function autoscalingCondition(
  objects: KubeObject[],
  live: Map<string, KubeObject>,
): ObservedCondition {
  const scaled = objects.filter((o) => o.kind === "ScaledObject");
  if (scaled.length === 0) {
    return cond(T.Autoscaling, false, R.AutoscalingDisabled, "no worker is autoscaled");
  }
  const pending = scaled.filter((o) => !kedaReady(live.get(childId(o))));
  if (pending.length === 0) {
    return cond(
      T.Autoscaling,
      true,
      R.ScaledObjectsReady,
      `${scaled.length} ScaledObject(s) ready`,
    );
  }
  const names = pending.map((o) => o.metadata.name).join(", ");
  return cond(T.Autoscaling, false, R.ScaledObjectsNotReady, `not ready yet: ${names}`);
}

function kedaReady(live: KubeObject | undefined): boolean {
  const conditions: { type: string; status: string }[] = live?.status?.conditions ?? [];
  return conditions.some((c) => c.type === "Ready" && c.status === "True");
}

function componentStatus(desired: KubeObject, live: KubeObject | undefined) {
  const name = desired.metadata.labels?.["app.kubernetes.io/component"] ?? desired.metadata.name;
  if (!live) return { name, ready: 0, desired: desired.spec?.replicas ?? 0 };
  return { name, ...replicaCounts(live) };
}

/** Mode and replicas per worker; queueDepth/running only from a successful read. */
function workersStatus(fd: FrappeDeployment, ctx: RenderContext, seen: Seen) {
  return workerModes(fd, ctx).map((w) => {
    const live = seen.live.get(`Deployment/${workerDeploymentName(fd, w.type)}`);
    return {
      type: w.type,
      mode: w.mode,
      replicas: live?.spec?.replicas ?? 0,
      readyReplicas: live?.status?.readyReplicas ?? 0,
      ...seen.queues.depths?.get(w.type),
    };
  });
}

function sitesStatus(fd: FrappeDeployment, phases: RenderPhase[], liveOf: Map<string, KubeObject>) {
  const jobs = phases.find((p) => p.phase === "sites")?.objects ?? [];
  return fd.spec.sites.map((site, i) => {
    const live = jobs[i] ? liveOf.get(childId(jobs[i])) : undefined;
    if (!live) return { name: site.name, phase: "Pending" as const };
    const r = readinessOf(live);
    const phase = r.ready ? "Ready" as const : r.failed ? "Failed" as const : "Creating" as const;
    return { name: site.name, phase };
  });
}

function migratedImage(
  fd: FrappeDeployment,
  phases: RenderPhase[],
  liveOf: Map<string, KubeObject>,
) {
  const job = phases.find((p) => p.phase === "migrate")?.objects[0];
  const live = job ? liveOf.get(childId(job)) : undefined;
  return live && readinessOf(live).ready ? fd.spec.image : undefined;
}
