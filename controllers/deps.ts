/**
 * What reconcile needs, passed in (DESIGN rule 8): the client, a reader that
 * prefers the informer caches, KEDA detection, the event recorder, a clock, a
 * logger, the operator's options and the manager's per-bench memories.
 */
import type { KubeClient, ObjectRef } from "../kube/client.ts";
import type { Clock } from "../kube/clock.ts";
import type { Logger } from "../kube/log.ts";
import type { KubeObject } from "../kube/types.ts";
import type { AcceptedChildren } from "./dry_run.ts";
import type { EventRecorder } from "./events.ts";
import type { KedaDetector } from "./keda.ts";
import type { QueueObserver } from "./queue_observer.ts";
import type { ReapplySchedule } from "./reapply.ts";
import type { RecentStatus } from "./status.ts";

/** The field manager of every write of desired state. */
export const FIELD_MANAGER = "frappe-op";
/** The field manager that hands `spec.replicas` of autoscaled workers to KEDA. */
export const REPLICAS_FIELD_MANAGER = "frappe-op-replicas";

/** Reads, from an informer cache when there is one, else from the API server. */
export interface Reader {
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  /** Objects of a kind in a namespace matching every label given. */
  list(
    apiVersion: string,
    kind: string,
    namespace: string,
    labels: Record<string, string>,
  ): Promise<KubeObject[]>;
}

export interface ReconcileOptions {
  /** Operator flag: autoscaling on by default for new FrappeDeployments. */
  autoscalingDefault: boolean;
  operatorNamespace?: string;
  kedaNamespace?: string;
  /** Re-check interval while waiting for a phase gate. */
  progressRequeueMs: number;
  /** Apply every child again this often (drift, reapply.ts); unset or 0: never. */
  reapplyIntervalMs?: number;
}

export const DEFAULT_RECONCILE_OPTIONS: ReconcileOptions = {
  autoscalingDefault: false,
  progressRequeueMs: 10_000,
};

export interface ReconcileDeps {
  client: KubeClient;
  reader: Reader;
  keda: KedaDetector;
  events: EventRecorder;
  clock: Clock;
  log: Logger;
  options: ReconcileOptions;
  /** The status last written while the cache is behind (manager); unset: trust the reader. */
  recentStatus?: RecentStatus;
  /** Reads the benches' queue Redis (manager); unset: status keeps the queue depths it has. */
  queues?: QueueObserver;
  /** Content the API server accepted in a dry run (manager); unset: dry-run all it would write. */
  accepted?: AcceptedChildren;
  /** The last full apply per bench (manager); unset: never re-apply (reapply.ts). */
  reapply?: ReapplySchedule;
  /** Source of new passwords; the platform CSPRNG unless a test injects one. */
  randomPassword?: () => string;
}

/** A Reader that always asks the API server (tests, and kinds without an informer). */
export function directReader(client: KubeClient): Reader {
  return {
    get: (ref) => client.get(ref),
    list: async (apiVersion, kind, namespace, labels) =>
      (await client.list(apiVersion, kind, { namespace, labelSelector: selector(labels) })).items,
  };
}

export function selector(labels: Record<string, string>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",");
}

export function matchesLabels(obj: KubeObject, labels: Record<string, string>): boolean {
  const have = obj.metadata.labels ?? {};
  return Object.entries(labels).every(([k, v]) => have[k] === v);
}
