/**
 * Handing `spec.replicas` of an autoscaled worker Deployment to KEDA
 * (FACTS.md section 7, docs/CONTRACT.md).
 *
 * With server-side apply, when the `frappe-op` manager owned `spec.replicas`
 * and stops sending it, the API server REMOVES the field (it defaults back to
 * 1). So before the main apply without replicas, a second manager,
 * `frappe-op-replicas`, applies only `{spec: {replicas: N}}`: the field then
 * stays (co-owned), the main apply drops only frappe-op's claim, and KEDA's
 * HPA takes it over through /scale. Nothing here ever resets it afterwards.
 *
 * A Deployment cannot be created from `{spec: {replicas}}` alone (it needs a
 * selector and template), so creation applies the full object with
 * `replicas: min` first and then runs the same handover.
 */
import { refOf } from "../kube/client.ts";
import type { KubeObject } from "../kube/types.ts";
import { FIELD_MANAGER, type ReconcileDeps, REPLICAS_FIELD_MANAGER } from "./deps.ts";
import { appliedHashOf } from "./hash.ts";

export interface ReplicaBounds {
  min: number;
  max: number;
}

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  fieldsV1?: Record<string, unknown>;
}

/** True when `manager` claims `path` (e.g. ["spec", "replicas"]) through an Apply. */
export function appliesField(obj: KubeObject, manager: string, path: string[]): boolean {
  const entries = (obj.metadata as { managedFields?: ManagedFieldsEntry[] }).managedFields ?? [];
  return entries.some((e) => {
    if (e.manager !== manager || e.operation !== "Apply") return false;
    let node: unknown = e.fieldsV1;
    for (const part of path) {
      node = (node as Record<string, unknown> | undefined)?.[`f:${part}`];
      if (node === undefined) return false;
    }
    return true;
  });
}

export function clamp(n: number, { min, max }: ReplicaBounds): number {
  return Math.min(max, Math.max(min, n));
}

export type ApplyAction = "created" | "configured" | "unchanged";

export interface Applied {
  action: ApplyAction;
  live: KubeObject;
}

/**
 * Applies an autoscaled worker Deployment (desired has no spec.replicas)
 * without owning replicas; `reapply` applies it even with the same hash.
 */
export async function applyAutoscaledDeployment(
  desired: KubeObject,
  live: KubeObject | undefined,
  bounds: ReplicaBounds,
  deps: ReconcileDeps,
  reapply = false,
): Promise<Applied> {
  const apply = (obj: KubeObject, fieldManager: string) =>
    deps.client.apply(obj, { fieldManager, force: true });
  // A cache miss is confirmed: creating with replicas=min would reset KEDA's count.
  let current = live ?? await deps.client.get(refOf(desired));
  let action: ApplyAction = "unchanged";
  if (!current) {
    current = await apply(
      { ...desired, spec: { ...desired.spec, replicas: bounds.min } },
      FIELD_MANAGER,
    );
    action = "created";
  }
  if (appliesField(current, FIELD_MANAGER, ["spec", "replicas"])) {
    const replicas = clamp(current.spec?.replicas ?? bounds.min, bounds);
    deps.log.info("handing spec.replicas over to the autoscaler", {
      deployment: desired.metadata.name,
      replicas,
    });
    await apply(replicasOnly(desired, replicas), REPLICAS_FIELD_MANAGER);
    current = await apply(desired, FIELD_MANAGER);
    return { action: action === "created" ? "created" : "configured", live: current };
  }
  if (!reapply && appliedHashOf(current) === appliedHashOf(desired)) {
    return { action, live: current };
  }
  const applied = await apply(desired, FIELD_MANAGER);
  return { action: actionOf(current, applied), live: applied };
}

/** What an apply did; one of unchanged content (a re-apply) keeps the resourceVersion. */
export function actionOf(live: KubeObject | undefined, applied: KubeObject): ApplyAction {
  if (!live) return "created";
  const same = applied.metadata.resourceVersion === live.metadata.resourceVersion;
  return same ? "unchanged" : "configured";
}

function replicasOnly(desired: KubeObject, replicas: number): KubeObject {
  const { apiVersion, kind, metadata: { name, namespace } } = desired;
  return { apiVersion, kind, metadata: { name, namespace }, spec: { replicas } };
}
