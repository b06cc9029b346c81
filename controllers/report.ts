/**
 * Events for what changed in one reconcile: children created or configured,
 * Ready turning true, Degraded turning true (or its message changing), KEDA
 * missing while workers ask for autoscaling (once per change), the queue
 * Redis unreadable (QueuesObserved turning false, or its message changing),
 * a site's new-site Job done (SiteCreated), an image migrated (Migrated).
 * A reconcile that changed nothing records nothing.
 */
import { ConditionReason as R, ConditionType as T, EventReason as E } from "../apis/conditions.ts";
import type { FrappeDeploymentStatus } from "../apis/status.ts";
import type { KubeObject } from "../kube/types.ts";
import type { ReconcileDeps } from "./deps.ts";
import { conditionOf } from "./status.ts";

interface Changes {
  created: string[];
  configured: string[];
}

const DEGRADED_EVENT: Record<string, string> = {
  [R.InvalidSpec]: E.InvalidSpec,
  [R.SecretMissing]: E.SecretMissing,
  [R.CredentialsLost]: E.CredentialsLost,
  [R.JobFailed]: E.JobFailed,
  [R.ApplyFailed]: E.ApplyFailed,
  [R.RejectedByApiServer]: E.RejectedByApiServer,
};

export async function recordTransitions(
  fd: KubeObject,
  changes: Changes,
  next: FrappeDeploymentStatus,
  deps: ReconcileDeps,
): Promise<void> {
  const parts = [
    changes.created.length > 0 ? `created ${changes.created.join(", ")}` : "",
    changes.configured.length > 0 ? `configured ${changes.configured.join(", ")}` : "",
  ].filter(Boolean);
  if (parts.length > 0) await deps.events.record(fd, "Normal", E.Applied, parts.join("; "));
  const before = (type: string) => conditionOf(fd.status, type);
  const after = (type: string) => conditionOf(next, type);
  const degraded = after(T.Degraded);
  if (degraded?.status === "True" && !same(before(T.Degraded), degraded)) {
    const reason = DEGRADED_EVENT[degraded.reason] ?? E.Degraded;
    await deps.events.record(fd, "Warning", reason, degraded.message);
  }
  const keda = after(T.KedaAvailable);
  const fallback = next.workers?.some((w) => w.mode === "static-fallback") ?? false;
  if (keda?.status === "False" && fallback && !same(before(T.KedaAvailable), keda)) {
    await deps.events.record(fd, "Warning", E.KedaMissing, keda.message);
  }
  const queues = after(T.QueuesObserved);
  if (queues?.status === "False" && !same(before(T.QueuesObserved), queues)) {
    await deps.events.record(fd, "Warning", E.QueuesNotObserved, queues.message);
  }
  for (const site of next.sites ?? []) {
    const was = fd.status?.sites?.find((s: { name: string }) => s.name === site.name);
    if (site.phase === "Ready" && was?.phase !== "Ready") {
      await deps.events.record(fd, "Normal", E.SiteCreated, `site ${site.name} created`);
    }
  }
  const migrated = next.imageMigrated;
  if (migrated && migrated !== fd.status?.imageMigrated) {
    await deps.events.record(fd, "Normal", E.Migrated, `sites migrated to ${migrated}`);
  }
  const ready = after(T.Ready);
  if (ready?.status === "True" && before(T.Ready)?.status !== "True") {
    await deps.events.record(fd, "Normal", E.Ready, ready.message);
  }
}

function same(
  a: { status: string; message: string } | undefined,
  b: { status: string; message: string },
): boolean {
  return a !== undefined && a.status === b.status && a.message === b.message;
}
