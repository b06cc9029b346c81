/**
 * Deletes children the render no longer asks for: objects of the child kinds
 * labelled with this instance and managed-by frappe-op, controlled by THIS
 * FrappeDeployment (uid), and absent from the desired set. E.g. the
 * ScaledObject of a worker whose autoscaling was turned off, or the Job of an
 * old config (once it has finished). PersistentVolumeClaims are never pruned: data goes only with
 * the FrappeDeployment itself (garbage collection through ownerReferences).
 */
import { refOf } from "../kube/client.ts";
import type { KubeObject } from "../kube/types.ts";
import type { ReconcileDeps } from "./deps.ts";
import { childId, childLabels, controlledBy } from "./children.ts";
import { jobFinished } from "./readiness.ts";
import { StepError } from "./steps.ts";
import { EventReason } from "../apis/conditions.ts";

export interface ChildKind {
  apiVersion: string;
  kind: string;
  /** Exists only when KEDA's CRDs are installed. */
  keda?: boolean;
  /** Listed and watched, but never deleted by prune. */
  keep?: boolean;
}

/** Every kind render may produce. The manager watches these; RBAC must allow them. */
export const CHILD_KINDS: readonly ChildKind[] = [
  { apiVersion: "v1", kind: "Secret" },
  { apiVersion: "v1", kind: "Service" },
  { apiVersion: "v1", kind: "PersistentVolumeClaim", keep: true },
  { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy" },
  { apiVersion: "apps/v1", kind: "StatefulSet" },
  { apiVersion: "apps/v1", kind: "Deployment" },
  { apiVersion: "batch/v1", kind: "Job" },
  { apiVersion: "keda.sh/v1alpha1", kind: "ScaledObject", keda: true },
  { apiVersion: "keda.sh/v1alpha1", kind: "TriggerAuthentication", keda: true },
];

/** Deletes stale children; returns their `Kind/name`. */
export async function prune(
  fd: KubeObject,
  desired: Set<string>,
  kedaAvailable: boolean,
  deps: ReconcileDeps,
): Promise<string[]> {
  const deleted: string[] = [];
  const { name, namespace, uid } = fd.metadata;
  for (const k of CHILD_KINDS) {
    if (k.keep || (k.keda && !kedaAvailable)) continue;
    const items = await listKind(k, namespace!, name, deps);
    for (const item of items) {
      if (!controlledBy(item, uid) || desired.has(childId(item))) continue;
      if (item.metadata.deletionTimestamp) continue;
      // A running Job is never cut short (a migrate would leave its sites in
      // maintenance mode): it is pruned once it has finished.
      if (item.kind === "Job" && !jobFinished(item)) continue;
      await deleteChild(item, deps);
      deleted.push(childId(item));
    }
  }
  return deleted;
}

async function listKind(k: ChildKind, namespace: string, fdName: string, deps: ReconcileDeps) {
  try {
    return await deps.reader.list(k.apiVersion, k.kind, namespace, childLabels(fdName));
  } catch (err) {
    throw StepError.from(EventReason.PruneFailed, `listing ${k.kind}s to prune`, err);
  }
}

async function deleteChild(item: KubeObject, deps: ReconcileDeps): Promise<void> {
  deps.log.info("pruning child", { child: childId(item), namespace: item.metadata.namespace });
  try {
    await deps.client.delete(refOf(item), {
      propagationPolicy: "Background",
      uid: item.metadata.uid,
    });
  } catch (err) {
    throw StepError.from(EventReason.PruneFailed, `deleting ${childId(item)}`, err);
  }
}
