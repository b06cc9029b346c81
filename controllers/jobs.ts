/**
 * The lifecycle of the one-shot Jobs (configure, new-site, migrate). A Job's
 * name says what it is for (controllers/render/jobs.ts), so:
 *
 * - a Job is created once and never re-applied: its pod template is
 *   immutable, and an existing Job of that name already did (or is doing)
 *   that work;
 * - a Job that failed is replaced (deleted, then created anew) when what
 *   would be applied differs from what it was created from: a changed spec
 *   (a fixed image, a new node selector...) or a new value of the
 *   FrappeDeployment's `frappe-op.dev/retry` annotation;
 * - two Jobs of one slot (`frappe-op.dev/job-slot`) never run at once: a new
 *   Job waits until the one it replaces has finished (prune.ts deletes the
 *   old one only then), so two migrations never overlap and an old configure
 *   never overwrites a newer config.
 */
import { refOf } from "../kube/client.ts";
import type { KubeObject } from "../kube/types.ts";
import { assertNotForeign } from "./apply.ts";
import { childLabels, COMPONENT_LABEL, controlledBy, INSTANCE_LABEL } from "./children.ts";
import { FIELD_MANAGER, type ReconcileDeps } from "./deps.ts";
import { appliedHashOf, digest, withAppliedHash } from "./hash.ts";
import { jobFailed, jobFinished } from "./readiness.ts";
import type { Applied } from "./replicas.ts";
import { JOB_SLOT_ANNOTATION } from "./render/jobs.ts";

/** A Job not created (yet), and why. */
export interface JobWaiting {
  action: "waiting";
  message: string;
}

/** Creates `desired` unless a Job of that name exists or another of its slot still runs. */
export async function applyJob(
  desired: KubeObject,
  ownerUid: string | undefined,
  deps: ReconcileDeps,
): Promise<Applied | JobWaiting> {
  // A cache miss is confirmed: applying over an existing Job would try to change its template.
  const live = await deps.reader.get(refOf(desired)) ?? await deps.client.get(refOf(desired));
  assertNotForeign(live, ownerUid);
  if (live?.metadata.deletionTimestamp) {
    return { action: "waiting", message: `job ${live.metadata.name} is being deleted` };
  }
  if (live && jobFailed(live) && appliedHashOf(live) !== await digest(desired)) {
    return await replaceFailed(live, deps);
  }
  if (live) return { action: "unchanged", live };
  const running = await runningInSlot(desired, ownerUid, deps);
  if (running) {
    const what = running.metadata.labels?.[COMPONENT_LABEL] ?? "";
    return {
      action: "waiting",
      message: `waiting for ${what} job ${running.metadata.name} to finish`,
    };
  }
  const hashed = await withAppliedHash(desired);
  // A POST, the request the dry-run gate sent: a Job is never changed once it exists.
  const created = await deps.client.create(hashed, {
    fieldManager: FIELD_MANAGER,
    fieldValidation: "Strict",
  });
  return { action: "created", live: created };
}

/** Deletes a failed Job; the next pass, woken by the deletion, creates it from the spec. */
async function replaceFailed(live: KubeObject, deps: ReconcileDeps): Promise<JobWaiting> {
  const { name, namespace, uid } = live.metadata;
  deps.log.info("replacing failed Job", { job: name, namespace });
  await deps.client.delete(refOf(live), { propagationPolicy: "Background", uid });
  return { action: "waiting", message: `replacing failed job ${name}` };
}

/** Another Job of this FrappeDeployment in the same slot that has not finished. */
async function runningInSlot(
  desired: KubeObject,
  ownerUid: string | undefined,
  deps: ReconcileDeps,
): Promise<KubeObject | undefined> {
  const { namespace, name, labels, annotations } = desired.metadata;
  const slot = annotations?.[JOB_SLOT_ANNOTATION];
  const jobs = await deps.reader.list(
    "batch/v1",
    "Job",
    namespace!,
    childLabels(labels?.[INSTANCE_LABEL] ?? ""),
  );
  return jobs.find((j) =>
    j.metadata.name !== name && controlledBy(j, ownerUid) &&
    j.metadata.annotations?.[JOB_SLOT_ANNOTATION] === slot && !jobFinished(j)
  );
}
