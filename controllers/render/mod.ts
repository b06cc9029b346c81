/**
 * Everything a FrappeDeployment asks for: the bench phases (bench.ts) with
 * the workers and their KEDA objects (workers.ts) added to the last phase.
 * Pure: same input, same output; nothing random unless `ctx.randomPassword`
 * is called for a credential that does not exist yet.
 */
import type { FrappeDeployment } from "../../apis/frappedeployment.ts";
import type { KubeObject } from "../../kube/types.ts";
import { renderBench, type RenderPhase } from "./bench.ts";
import type { RenderContext } from "./context.ts";
import { renderWorkers } from "./workers.ts";

export type { PhaseName, RenderPhase } from "./bench.ts";
export { PHASES } from "./bench.ts";
export type { RenderContext } from "./context.ts";

export function renderAll(fd: FrappeDeployment, ctx: RenderContext): RenderPhase[] {
  const phases = renderBench(fd, ctx);
  const workers = renderWorkers(fd, ctx);
  return phases.map((p) => p.phase === "apps" ? { ...p, objects: [...p.objects, ...workers] } : p);
}

/** All objects in rollout order (for `frappe-op render` and pruning). */
export function renderAllObjects(fd: FrappeDeployment, ctx: RenderContext): KubeObject[] {
  return renderAll(fd, ctx).flatMap((p) => p.objects);
}
