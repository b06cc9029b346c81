/**
 * The live state of every rendered child, for status: what this pass
 * applied (the rollout's answers), and for the phases a gate kept it from
 * reaching, what the cache (deps.reader) holds. So while an upgrade waits at
 * its migrate Job, the Deployments still running report their real replicas,
 * and "not created yet" means exactly that.
 */
import type { KubeObject } from "../kube/types.ts";
import type { ReconcileDeps } from "./deps.ts";
import type { RenderPhase } from "./render/mod.ts";
import { childId, type RolloutResult } from "./rollout.ts";
import { StepError } from "./steps.ts";
import { ConditionReason } from "../apis/conditions.ts";

export async function liveChildren(
  phases: RenderPhase[],
  rollout: RolloutResult,
  deps: ReconcileDeps,
): Promise<Map<string, KubeObject>> {
  const live = new Map(rollout.live);
  for (const obj of phases.flatMap((p) => p.objects)) {
    if (live.has(childId(obj))) continue;
    const { apiVersion, kind, metadata: { namespace, name } } = obj;
    try {
      const found = await deps.reader.get({ apiVersion, kind, namespace, name });
      if (found) live.set(childId(obj), found);
    } catch (err) {
      throw StepError.from(ConditionReason.ApplyFailed, `reading ${childId(obj)}`, err);
    }
  }
  return live;
}
