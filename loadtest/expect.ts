/** `--expect-*` checks against a Report; each failure is one line naming the flag. */

import { leftMinimum, type Report, type WorkerReport } from "./report.ts";

export interface Expectations {
  /** `--expect-max-replicas N`: no worker of the loaded tenant above N. */
  maxReplicas?: number;
  /** `--expect-max-replicas TYPE=N`: no worker of that type (of the loaded tenant) above N. */
  maxReplicasByType?: Record<string, number>;
  scaleUpWithinS?: number;
  scaleDownWithinS?: number;
  noLoss?: boolean;
  /**
   * Implied by a scenario: these workers never leave their minimum. `all`: every
   * worker (idle); `others`: those of the tenants other than the loaded one (multi-tenant).
   */
  stayAtMinimum?: "all" | "others";
}

const replicas = (n: number) => `${n} replica${n === 1 ? "" : "s"}`;

function tooMany(flag: string, workers: WorkerReport[], max: number): string[] {
  const over = workers.filter((w) => w.peakReplicas > max);
  if (over.length === 0) return [];
  return [
    `--expect-max-replicas ${flag}: ` +
    over.map((w) => `${w.deployment} reached ${replicas(w.peakReplicas)}`).join(", "),
  ];
}

function maxReplicaFailures(load: WorkerReport[], e: Expectations): string[] {
  const failures = e.maxReplicas === undefined
    ? []
    : tooMany(`${e.maxReplicas}`, load, e.maxReplicas);
  for (const [type, max] of Object.entries(e.maxReplicasByType ?? {})) {
    const ofType = load.filter((w) => w.type === type);
    failures.push(
      ...(ofType.length
        ? tooMany(`${type}=${max}`, ofType, max)
        : [`--expect-max-replicas ${type}=${max}: no ${type} worker was observed`]),
    );
  }
  return failures;
}

function minimumFailures(r: Report, scope: "all" | "others"): string[] {
  const watched = r.workers.filter((w) => scope === "all" || w.tenant !== r.loadTenant);
  const what = scope === "all"
    ? "every worker stays at its minimum"
    : "the other tenants stay at their minimum";
  if (watched.length === 0) {
    return [`--scenario ${r.scenario}: ${what}, but no worker was observed`];
  }
  const moved = leftMinimum(watched);
  if (moved.length === 0) return [];
  return [
    `--scenario ${r.scenario}: ${what}; ` +
    moved.map((w) =>
      `${w.tenant} ${w.deployment} peaked at ${w.peakReplicas} (minimum ${w.minReplicas})`
    )
      .join(", "),
  ];
}

export function checkExpectations(r: Report, e: Expectations): string[] {
  const failures: string[] = [];
  const load = r.workers.filter((w) => !r.loadTenant || w.tenant === r.loadTenant);
  const t = r.timings;
  failures.push(...maxReplicaFailures(load, e));
  if (e.scaleUpWithinS !== undefined) {
    const up = t.firstScaleUpSeconds;
    if (up === undefined || up > e.scaleUpWithinS) {
      failures.push(
        `--expect-scale-up-within ${e.scaleUpWithinS}: ` +
          (up === undefined ? "workers never scaled up" : `first scale-up after ${up}s`),
      );
    }
  }
  if (e.scaleDownWithinS !== undefined) {
    const drain = t.drainSeconds;
    const back = t.backToMinSeconds;
    const took = back !== undefined && drain !== undefined ? back - drain : undefined;
    if (took === undefined || took > e.scaleDownWithinS) {
      failures.push(
        `--expect-scale-down-within ${e.scaleDownWithinS}: ` +
          (took === undefined
            ? "workers did not return to their minimum"
            : `back to minimum ${took.toFixed(1)}s after the queue drained`),
      );
    }
  }
  if (e.noLoss) {
    const j = r.jobs;
    const unfinished = j.enqueued - j.finished;
    if (unfinished > 0) {
      failures.push(
        `--expect-no-loss: ${unfinished} of ${j.enqueued} jobs did not finish ` +
          `(failed ${j.failed}, lost ${j.lost}, gone ${j.gone}, still queued ${j.stillQueued}, ` +
          `still running ${j.stillRunning})`,
      );
    }
  }
  if (e.stayAtMinimum) failures.push(...minimumFailures(r, e.stayAtMinimum));
  return failures;
}
