/**
 * The spec steps of reconcile: pin the operator's autoscaling default on a
 * FrappeDeployment that has none yet (apis/autoscaling_default.ts), then
 * validate and default the spec. Invalid input becomes a StepError with the
 * validation messages and no retry: only a new spec can fix it.
 */
import {
  applyAutoscalingDefault,
  AUTOSCALING_DEFAULT_ANNOTATION,
  autoscalingDefaultFor,
} from "../apis/autoscaling_default.ts";
import { ConditionReason } from "../apis/conditions.ts";
import { type FrappeDeployment, parseFrappeDeployment } from "../apis/frappedeployment.ts";
import type { KubeObject } from "../kube/types.ts";
import { FIELD_MANAGER, type ReconcileDeps } from "./deps.ts";
import { StepError } from "./steps.ts";

/**
 * Stamps the autoscaling-default annotation once; returns the object as it now
 * is. An object that already has a status was reconciled before (by an
 * operator that did not stamp, or the user removed the annotation): it is not
 * new, so it keeps autoscaling off where unset.
 */
export async function pinAutoscalingDefault(
  fd: KubeObject,
  deps: ReconcileDeps,
): Promise<KubeObject> {
  if (fd.metadata.annotations?.[AUTOSCALING_DEFAULT_ANNOTATION] !== undefined) return fd;
  const seenBefore = fd.status?.observedGeneration !== undefined;
  const value = String(deps.options.autoscalingDefault && !seenBefore);
  const { apiVersion, kind, metadata: { name, namespace } } = fd;
  try {
    await deps.client.apply({
      apiVersion,
      kind,
      metadata: { name, namespace, annotations: { [AUTOSCALING_DEFAULT_ANNOTATION]: value } },
    }, { fieldManager: FIELD_MANAGER, force: true });
  } catch (err) {
    throw StepError.from(ConditionReason.ApplyFailed, "pinning the autoscaling default", err);
  }
  const annotations = { ...fd.metadata.annotations, [AUTOSCALING_DEFAULT_ANNOTATION]: value };
  return { ...fd, metadata: { ...fd.metadata, annotations } };
}

/** Validated spec with every default applied, or a non-retryable StepError. */
export function validSpec(fd: KubeObject, deps: ReconcileDeps): FrappeDeployment {
  const parsed = parseFrappeDeployment(fd);
  if (!parsed.ok) {
    const message = `invalid spec: ${parsed.errors.join("; ")}`;
    throw new StepError(ConditionReason.InvalidSpec, message, { retry: false });
  }
  const on = autoscalingDefaultFor(parsed.value, deps.options.autoscalingDefault);
  return applyAutoscalingDefault(parsed.value, on);
}
