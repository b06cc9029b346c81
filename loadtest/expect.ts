/** `--expect-*` checks against a Report; each failure is one line naming the flag. */

import type { Report } from "./report.ts";

export interface Expectations {
  maxReplicas?: number;
  scaleUpWithinS?: number;
  scaleDownWithinS?: number;
  noLoss?: boolean;
  /** multi-tenant: tenants other than the loaded one never leave their minimum. */
  othersAtMin?: boolean;
}

export function checkExpectations(r: Report, e: Expectations): string[] {
  const failures: string[] = [];
  const load = r.workers.filter((w) => !r.loadTenant || w.tenant === r.loadTenant);
  const peak = Math.max(0, ...load.map((w) => w.peakReplicas));
  const t = r.timings;
  if (e.maxReplicas !== undefined && peak > e.maxReplicas) {
    failures.push(`--expect-max-replicas ${e.maxReplicas}: a worker reached ${peak} replicas`);
  }
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
  if (e.othersAtMin && r.otherTenantsStayedAtMin === false) {
    const moved = r.workers.filter((w) =>
      w.tenant !== r.loadTenant && w.peakReplicas > w.minReplicas
    );
    failures.push(
      `multi-tenant: other tenants left their minimum: ` +
        moved.map((w) => `${w.tenant} ${w.deployment} peaked at ${w.peakReplicas}`).join(", "),
    );
  }
  return failures;
}
