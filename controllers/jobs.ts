/**
 * The lifecycle of the one-shot Jobs (configure, new-site, migrate). A Job's
 * name says what it is for (controllers/render/jobs.ts), so a Job is created
 * once and never re-applied: its pod template is immutable, and an existing
 * Job of that name already did (or is doing) that work.
 */
import { refOf } from "../kube/client.ts";
import type { KubeObject } from "../kube/types.ts";
import { assertNotForeign } from "./apply.ts";
import { FIELD_MANAGER, type ReconcileDeps } from "./deps.ts";
import { withAppliedHash } from "./hash.ts";
import type { Applied } from "./replicas.ts";

/** Creates `desired` unless a Job of that name exists; an existing one is left as it is. */
export async function applyJob(
  desired: KubeObject,
  ownerUid: string | undefined,
  deps: ReconcileDeps,
): Promise<Applied> {
  // A cache miss is confirmed: applying over an existing Job would try to change its template.
  const live = await deps.reader.get(refOf(desired)) ?? await deps.client.get(refOf(desired));
  assertNotForeign(live, ownerUid);
  if (live) return { action: "unchanged", live };
  const hashed = await withAppliedHash(desired);
  const created = await deps.client.apply(hashed, { fieldManager: FIELD_MANAGER, force: true });
  return { action: "created", live: created };
}
