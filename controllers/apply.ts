/**
 * Applies one desired child with server-side apply (field manager
 * `frappe-op`, force), unless the live object already carries the same
 * applied hash: then nothing is sent, except when the drift re-apply is due
 * (reapply.ts). Autoscaled worker Deployments go through the replicas
 * handover (replicas.ts).
 */
import { refOf } from "../kube/client.ts";
import type { KubeObject } from "../kube/types.ts";
import { INITIAL_REPLICAS_ANNOTATION } from "./render/workers.ts";
import { FIELD_MANAGER, type ReconcileDeps } from "./deps.ts";
import { appliedHashOf, withAppliedHash } from "./hash.ts";
import { StepError } from "./steps.ts";
import { ConditionReason } from "../apis/conditions.ts";
import {
  actionOf,
  type Applied,
  applyAutoscaledDeployment,
  type ReplicaBounds,
} from "./replicas.ts";

export type { Applied, ApplyAction } from "./replicas.ts";

export interface ApplyContext {
  /** uid of the FrappeDeployment: a live object controlled by another owner is never taken. */
  ownerUid?: string;
  /** Given for autoscaled worker Deployments. */
  bounds?: ReplicaBounds;
  /** Apply even when the applied hash is the same: takes back hand edits (reapply.ts). */
  reapply?: boolean;
}

/** Applies `desired` (anything but a Job: see jobs.ts). */
export async function applyChild(
  desired: KubeObject,
  deps: ReconcileDeps,
  ctx: ApplyContext = {},
): Promise<Applied> {
  const hashed = await withAppliedHash(desired);
  const live = await deps.reader.get(refOf(desired));
  assertNotForeign(live, ctx.ownerUid);
  if (isAutoscaledDeployment(desired)) {
    const bounds = ctx.bounds ?? boundsFrom(desired);
    return await applyAutoscaledDeployment(hashed, live, bounds, deps, ctx.reapply);
  }
  if (live && !ctx.reapply && upToDate(hashed, live)) return { action: "unchanged", live };
  const applied = await deps.client.apply(hashed, { fieldManager: FIELD_MANAGER, force: true });
  return { action: actionOf(live, applied), live: applied };
}

/**
 * A live object controlled by another owner (typically a deleted and re-created
 * FrappeDeployment of the same name, whose children the garbage collector has
 * not removed yet) is never taken over: the reconcile fails and retries. An
 * object without a controller (kept by `deletionPolicy: Retain`) is adopted.
 */
export function assertNotForeign(live: KubeObject | undefined, ownerUid: string | undefined): void {
  const have = live?.metadata.ownerReferences?.find((r) => r.controller);
  if (!live || !ownerUid || !have || have.uid === ownerUid) return;
  throw new StepError(
    ConditionReason.ApplyFailed,
    `${live.kind}/${live.metadata.name} is controlled by ${have.kind} ${have.name} ` +
      `(uid ${have.uid}), not by this FrappeDeployment: if that is an earlier one of the same ` +
      "name, it goes with the garbage collector; otherwise both ask for this name, and one " +
      "must be renamed",
  );
}

/**
 * Every desired child checked before anything is applied or pruned, so a
 * name taken by another owner leaves nothing half-created.
 */
export async function assertNoForeignChildren(
  desired: KubeObject[],
  ownerUid: string | undefined,
  deps: ReconcileDeps,
): Promise<void> {
  for (const obj of desired) assertNotForeign(await deps.reader.get(refOf(obj)), ownerUid);
}

/** Same applied hash, and explicit replicas (static workers) not changed behind our back. */
function upToDate(hashed: KubeObject, live: KubeObject): boolean {
  if (appliedHashOf(live) !== appliedHashOf(hashed)) return false;
  const replicas = hashed.spec?.replicas;
  return replicas === undefined || live.spec?.replicas === replicas;
}

export function isAutoscaledDeployment(obj: KubeObject): boolean {
  return obj.kind === "Deployment" && obj.spec?.replicas === undefined &&
    obj.metadata.annotations?.[INITIAL_REPLICAS_ANNOTATION] !== undefined;
}

function boundsFrom(obj: KubeObject): ReplicaBounds {
  const min = Number(obj.metadata.annotations?.[INITIAL_REPLICAS_ANNOTATION] ?? 0);
  return { min: Number.isFinite(min) ? min : 0, max: Number.MAX_SAFE_INTEGER };
}

/** min/max of the ScaledObject (if rendered) that targets each Deployment, by Deployment name. */
export function replicaBoundsByTarget(objects: KubeObject[]): Map<string, ReplicaBounds> {
  const out = new Map<string, ReplicaBounds>();
  for (const o of objects) {
    if (o.kind !== "ScaledObject") continue;
    const target = o.spec?.scaleTargetRef?.name;
    if (typeof target !== "string") continue;
    out.set(target, {
      min: o.spec?.minReplicaCount ?? 0,
      max: o.spec?.maxReplicaCount ?? 100,
    });
  }
  return out;
}
