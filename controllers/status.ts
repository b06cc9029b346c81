/**
 * Status writes, isolated: the next status is built from what reconcile
 * observed, compared with the current one, and written through the /status
 * subresource with server-side apply only when it differs. A condition's
 * lastTransitionTime changes only when its status flips.
 */
import type { FrappeDeploymentStatus } from "../apis/status.ts";
import type { KubeObject } from "../kube/types.ts";
import { FIELD_MANAGER, type ReconcileDeps } from "./deps.ts";
import { canonicalJson } from "./hash.ts";

type Status = FrappeDeploymentStatus;
type Condition = NonNullable<Status["conditions"]>[number];

/** A condition as reconcile reports it; times and generation are added here. */
export type ObservedCondition = Pick<Condition, "type" | "status" | "reason" | "message">;

/** What reconcile observed; fields left undefined keep their current value. */
export interface Observation {
  phase: NonNullable<Status["phase"]>;
  conditions: ObservedCondition[];
  benchId?: string;
  components?: Status["components"];
  workers?: Status["workers"];
  sites?: Status["sites"];
  imageMigrated?: string;
}

export function nextStatus(
  current: Status | undefined,
  obs: Observation,
  generation: number,
  now: string,
): Status {
  const conditions = obs.conditions.map((c): Condition => {
    const prior = current?.conditions?.find((p) => p.type === c.type);
    const unchanged = prior !== undefined && prior.status === c.status;
    return {
      ...c,
      lastTransitionTime: unchanged ? prior.lastTransitionTime : now,
      observedGeneration: generation,
    };
  });
  // Conditions this observation says nothing about (e.g. after a failed step) are kept.
  const reported = new Set(conditions.map((c) => c.type));
  const kept = (current?.conditions ?? []).filter((c) => !reported.has(c.type));
  return dropUndefined({
    observedGeneration: generation,
    phase: obs.phase,
    benchId: obs.benchId ?? current?.benchId,
    conditions: [...conditions, ...kept],
    components: obs.components ?? current?.components,
    workers: obs.workers ?? current?.workers,
    sites: obs.sites ?? current?.sites,
    imageMigrated: obs.imageMigrated ?? current?.imageMigrated,
  });
}

export function statusEqual(a: Status | undefined, b: Status | undefined): boolean {
  return canonicalJson(a ?? {}) === canonicalJson(b ?? {});
}

/** Writes the status if it changed; returns whether a write was sent. */
export async function writeStatus(
  fd: KubeObject,
  next: Status,
  deps: ReconcileDeps,
): Promise<boolean> {
  if (statusEqual(fd.status, next)) return false;
  const { apiVersion, kind, metadata: { name, namespace } } = fd;
  await deps.client.applyStatus(
    { apiVersion, kind, metadata: { name, namespace }, status: next },
    { fieldManager: FIELD_MANAGER, force: true },
  );
  return true;
}

/** The condition of a type in a status, if present. */
export function conditionOf(status: Status | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

function dropUndefined<T extends Record<string, unknown>>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The status this operator last wrote, per FrappeDeployment, for as long as
 * the informer cache still shows the version it was written over. Without
 * it, a reconcile right after a status write (woken by a child's event) would
 * see the old status, write the same one again and repeat its Events.
 */
export class RecentStatus {
  readonly #written = new Map<string, { over: string; status: Status }>();

  /** What the server has, when the cache is known to be behind; else undefined. */
  recall(fd: KubeObject): Status | undefined {
    const key = fd.metadata.uid ?? "";
    const entry = this.#written.get(key);
    if (!entry) return undefined;
    if (entry.over === fd.metadata.resourceVersion) return entry.status;
    this.#written.delete(key);
    return undefined;
  }

  remember(fd: KubeObject, status: Status): void {
    this.#written.set(fd.metadata.uid ?? "", { over: fd.metadata.resourceVersion ?? "", status });
  }
}
