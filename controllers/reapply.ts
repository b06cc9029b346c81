/**
 * Drift re-apply. A child whose live applied hash equals the rendered one is
 * not applied again (apply.ts), which keeps a resync free of writes but
 * cannot see a hand edit (`kubectl patch`, `edit`, `set image`): the
 * annotation stays while the field changes. So every `--reapply-interval`
 * (ReconcileOptions.reapplyIntervalMs; 0 = never), and when the
 * FrappeDeployment's `frappe-op.dev/reapply` annotation gets a new value,
 * its next reconcile applies every child again whatever the hash. A
 * server-side apply of unchanged content is a no-op (no new resourceVersion,
 * so no watch event); of drifted content it takes back every field frappe-op
 * sets. Jobs are never re-applied (immutable, jobs.ts), nor are
 * PersistentVolumeClaims (immutable but for a size that only grows: a claim
 * expanded by hand would fail every re-apply); autoscaled worker Deployments
 * go through the replicas handover (replicas.ts), which never sends
 * spec.replicas. Fields frappe-op does not set (a label or an env var
 * someone added) stay: server-side apply removes only what it owned.
 *
 * The clock of a FrappeDeployment starts when this process first sees it,
 * so a restarted operator does not re-apply every bench at once; nor does it
 * act on a change of the annotation it did not see (the next interval
 * covers it).
 */
import { REAPPLY_ANNOTATION } from "../apis/frappedeployment.ts";
import type { KubeObject } from "../kube/types.ts";

interface Entry {
  uid?: string;
  /** Clock time (ms) of the last full apply, or of the first sight. */
  lastMs: number;
  /** The annotation's value then. */
  token?: string;
}

/** Whether a due re-apply sends `obj` again (see above). */
export function reapplies(obj: KubeObject): boolean {
  return obj.kind !== "Job" && obj.kind !== "PersistentVolumeClaim";
}

/** The manager's memory: per FrappeDeployment (namespace/name, for its uid), the last full apply. */
export class ReapplySchedule {
  readonly #byKey = new Map<string, Entry>();

  /** Whether this reconcile applies every child again; the first sight starts the clock. */
  due(fd: KubeObject, nowMs: number, intervalMs: number): boolean {
    const entry = this.#byKey.get(keyOf(fd));
    if (!entry || entry.uid !== fd.metadata.uid) {
      this.done(fd, nowMs);
      return false;
    }
    if (entry.token !== tokenOf(fd)) return true;
    return intervalMs > 0 && nowMs - entry.lastMs >= intervalMs;
  }

  /** Every child the rollout reached was applied again at `nowMs`. */
  done(fd: KubeObject, nowMs: number): void {
    this.#byKey.set(keyOf(fd), { uid: fd.metadata.uid, lastMs: nowMs, token: tokenOf(fd) });
  }

  /** The FrappeDeployment is gone: drop its entry. */
  forget(key: string): void {
    this.#byKey.delete(key);
  }
}

const keyOf = (fd: KubeObject) => `${fd.metadata.namespace}/${fd.metadata.name}`;
const tokenOf = (fd: KubeObject) => fd.metadata.annotations?.[REAPPLY_ANNOTATION];
