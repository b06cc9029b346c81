/**
 * The operator-wide option "autoscaling on by default for new
 * FrappeDeployments" (REQUEST.md, migration phase 3).
 *
 * Rule: a worker's `autoscaling.enabled` that the user left UNSET takes the
 * default; an explicit `true` or `false` is never changed. The schema gives
 * `enabled` no default (zod and CRD), so "unset" survives the API server.
 *
 * "New": the default that applies to an object is pinned in its annotation
 * `frappe-op.dev/autoscaling-default: "true"|"false"`. The reconciler stamps
 * it (with the operator's current flag) on a FrappeDeployment that lacks it
 * and has never been reconciled (no status yet; one with a status gets
 * "false"), so flipping the flag later changes only objects created afterwards.
 * A user may also set the annotation to choose for one object.
 *
 * Scope: short, long and custom workers. The default worker stays static
 * unless enabled explicitly: it is the always-on worker scheduled jobs land in.
 */
import type { Workers } from "./workers.ts";

export const AUTOSCALING_DEFAULT_ANNOTATION = "frappe-op.dev/autoscaling-default";

interface FdLike {
  metadata?: { annotations?: Record<string, string> };
  spec: { workers: Workers };
}

/** The default for this object: its pinned annotation, else the operator flag. */
export function autoscalingDefaultFor(fd: FdLike, operatorFlag: boolean): boolean {
  const pinned = fd.metadata?.annotations?.[AUTOSCALING_DEFAULT_ANNOTATION];
  if (pinned === "true") return true;
  if (pinned === "false") return false;
  return operatorFlag;
}

/**
 * Returns a copy of `fd` in which every `autoscaling.enabled` is a boolean:
 * unset ones on short, long and custom workers take the default (see module
 * doc), the default worker's takes false. Pure; `fd` is not modified.
 */
export function applyAutoscalingDefault<T extends FdLike>(fd: T, onByDefault: boolean): T {
  const on = autoscalingDefaultFor(fd, onByDefault);
  const w = fd.spec.workers;
  const resolve = <S extends { autoscaling: { enabled?: boolean } }>(s: S, dflt: boolean): S => ({
    ...s,
    autoscaling: { ...s.autoscaling, enabled: s.autoscaling.enabled ?? dflt },
  });
  const workers: Workers = {
    ...w,
    short: resolve(w.short, on),
    long: resolve(w.long, on),
    default: resolve(w.default, false),
    custom: w.custom.map((c) => resolve(c, on)),
  };
  return { ...fd, spec: { ...fd.spec, workers } };
}

/** Whether a worker asks to be autoscaled (unset counts as no). */
export function wantsAutoscaling(spec: { autoscaling: { enabled?: boolean } }): boolean {
  return spec.autoscaling.enabled === true;
}
