/**
 * How a FrappeDeployment's children are named and found: `Kind/name` in
 * messages and maps, the labels every child carries, and control by uid.
 */
import type { KubeObject } from "../kube/types.ts";
import { MANAGED_BY } from "./render/common.ts";

export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const INSTANCE_LABEL = "app.kubernetes.io/instance";
export const COMPONENT_LABEL = "app.kubernetes.io/component";

/** `Kind/name`: how a child is named in messages and maps. */
export function childId(obj: KubeObject): string {
  return `${obj.kind}/${obj.metadata.name}`;
}

/** The labels that select every child of the FrappeDeployment `fdName`. */
export function childLabels(fdName: string): Record<string, string> {
  return { [INSTANCE_LABEL]: fdName, [MANAGED_BY_LABEL]: MANAGED_BY };
}

export function controlledBy(obj: KubeObject, uid: string | undefined): boolean {
  return uid !== undefined &&
    (obj.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.controller === true);
}
