/**
 * Applies the rendered phases in order. A phase's gate must pass before the
 * next phase is applied: data stores ready, Jobs complete. Waiting is not a
 * loop: the rollout stops, reports what it waits for (status Progressing) and
 * the reconcile is requeued; watch events on the children wake it earlier.
 */
import type { KubeObject } from "../kube/types.ts";
import type { RenderPhase } from "./render/mod.ts";
import { type Applied, applyChild, type ApplyContext, replicaBoundsByTarget } from "./apply.ts";
import { applyJob, type JobWaiting } from "./jobs.ts";
import { reapplies } from "./reapply.ts";
import type { ReconcileDeps } from "./deps.ts";
import { readinessOf } from "./readiness.ts";
import { StepError } from "./steps.ts";
import { ConditionReason } from "../apis/conditions.ts";

export interface RolloutResult {
  created: string[];
  configured: string[];
  /** Live state of every child applied so far, by `Kind/name`. */
  live: Map<string, KubeObject>;
  /** The phase whose gate did not pass yet, and why. */
  waiting?: { phase: string; message: string };
  /** A gate that can not pass without a person (a failed Job). */
  failed?: { phase: string; message: string };
}

import { childId } from "./children.ts";

/** Re-exported for the status code, which names children the same way. */
export { childId };

/**
 * Rolls out the phases of the FrappeDeployment whose uid is `ownerUid`;
 * `reapply` applies every child that `reapplies` even when its hash is the same.
 */
export async function rollOut(
  phases: RenderPhase[],
  ownerUid: string | undefined,
  deps: ReconcileDeps,
  reapply = false,
): Promise<RolloutResult> {
  const result: RolloutResult = { created: [], configured: [], live: new Map() };
  const bounds = replicaBoundsByTarget(phases.flatMap((p) => p.objects));
  for (const [i, phase] of phases.entries()) {
    let held: string | undefined;
    for (const obj of phase.objects) {
      const ctx = {
        ownerUid,
        bounds: bounds.get(obj.metadata.name),
        reapply: reapply && reapplies(obj),
      };
      const applied = await applyOne(obj, deps, ctx);
      if (applied.action === "waiting") {
        held ??= applied.message;
        continue;
      }
      result.live.set(childId(obj), applied.live);
      if (applied.action === "created") result.created.push(childId(obj));
      if (applied.action === "configured") result.configured.push(childId(obj));
    }
    // The last phase (apps) has no gate: its readiness is what status reports.
    if (i === phases.length - 1) break;
    const gate = held ? { ready: false, message: held } : phaseGate(phase, result.live);
    if (gate.failed) return { ...result, failed: { phase: phase.phase, message: gate.message } };
    if (!gate.ready) return { ...result, waiting: { phase: phase.phase, message: gate.message } };
  }
  return result;
}

async function applyOne(
  obj: KubeObject,
  deps: ReconcileDeps,
  ctx: ApplyContext,
): Promise<Applied | JobWaiting> {
  try {
    if (obj.kind === "Job") return await applyJob(obj, ctx.ownerUid, deps);
    return await applyChild(obj, deps, ctx);
  } catch (err) {
    throw StepError.from(ConditionReason.ApplyFailed, `applying ${childId(obj)}`, err);
  }
}

/** The first child of the phase that is not ready, or ready. */
function phaseGate(
  phase: RenderPhase,
  live: Map<string, KubeObject>,
): { ready: boolean; failed?: boolean; message: string } {
  for (const obj of phase.objects) {
    const current = live.get(childId(obj));
    if (!current) return { ready: false, message: `${childId(obj)} not found` };
    const r = readinessOf(current);
    if (!r.ready) return { ready: false, failed: r.failed, message: r.message };
  }
  return { ready: true, message: `phase ${phase.phase} ready` };
}
