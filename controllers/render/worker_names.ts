/** Names of a worker type's children (docs/CONTRACT.md), shared by render, status and loadtest. */
import type { FrappeDeployment } from "../../apis/frappedeployment.ts";
import { childName, SCALED_OBJECT_NAME_MAX } from "../../apis/naming.ts";

/** Label every worker pod carries: `frappe-op.dev/worker: <type>`. */
export const WORKER_LABEL = "frappe-op.dev/worker";

/** `app.kubernetes.io/component` of a worker type. */
export function workerComponent(type: string): string {
  return `worker-${type}`;
}

/** `<fd>-worker-<type>`, a DNS label (hashed when long). */
export function workerDeploymentName(fd: FrappeDeployment, type: string): string {
  return childName([fd.metadata.name, "worker", type]);
}

/** ScaledObject name, short enough that KEDA's `keda-hpa-<name>` fits 63 characters. */
export function scaledObjectName(fd: FrappeDeployment, type: string): string {
  return childName([fd.metadata.name, "worker", type], SCALED_OBJECT_NAME_MAX);
}
