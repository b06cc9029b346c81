/**
 * The dry-run gate: before a reconcile writes anything, each child it is
 * about to write with content the API server has not accepted yet is sent
 * once with `dryRun=All`. The server decodes, defaults, validates and admits
 * it exactly as the real write, and persists nothing. So a spec the CRD
 * schema lets through but a child refuses (the fields passed through to pods
 * as given: affinity, tolerations, nodeSelector, podAnnotations,
 * imagePullSecrets; an update a StatefulSet forbids) fails the reconcile
 * before anything was created, changed or pruned, instead of leaving the
 * bench half-created.
 *
 * - The request is the real write's: server-side apply with the same field
 *   manager and force, of the rendered object as is (an autoscaled worker
 *   Deployment without replicas). Jobs are created and never applied
 *   (jobs.ts), so theirs is a create, with strict field validation as
 *   apply has; the server validates a create before it looks for an object
 *   of that name, so AlreadyExists means accepted.
 * - Which children: those whose live applied hash differs from the rendered
 *   one (or that do not exist), and Jobs that would be created (absent, or
 *   failed and to be replaced). Content the server holds already was
 *   accepted when written; `AcceptedChildren` (the manager's memory) also
 *   skips content dry-run before, e.g. the later phases of a rollout that
 *   waits at a gate. A steady state or a restarted operator sends none; a
 *   spec change sends one per child it changes.
 * - KEDA's kinds are not dry-run: their content is generated from
 *   schema-checked fields only, and what KEDA's admission webhook checks
 *   (kedacore/keda apis/keda/v1alpha1/scaledobject_webhook.go: another
 *   ScaledObject or HPA on the same workload; the target's resources, which
 *   it skips on dry runs) depends on other objects, so a refusal there
 *   stays a retried ApplyFailed when the apps phase applies them.
 * - A refusal (400, 422, or the 500 server-side apply answers for content
 *   that does not fit the schema) is RejectedByApiServer, not retried with
 *   backoff: only a new spec helps (the resync tries again). Anything else
 *   (network, 403, 429, 5xx) is ApplyFailed and retried. Either way nothing
 *   was written.
 */
import { ConditionReason as R } from "../apis/conditions.ts";
import { refOf } from "../kube/client.ts";
import { isAlreadyExists, KubeApiError } from "../kube/errors.ts";
import type { KubeObject } from "../kube/types.ts";
import { childId } from "./children.ts";
import { FIELD_MANAGER, type ReconcileDeps } from "./deps.ts";
import { appliedHashOf, withAppliedHash } from "./hash.ts";
import { jobFailed } from "./readiness.ts";
import type { RenderPhase } from "./render/mod.ts";
import { StepError } from "./steps.ts";

/** apiVersion of the kinds left to KEDA's own admission (see above). */
const KEDA_API_VERSION = "keda.sh/v1alpha1";

/** Dry-runs every child this reconcile may write; throws a StepError on the first refusal. */
export async function dryRunGate(
  fd: KubeObject,
  phases: RenderPhase[],
  deps: ReconcileDeps,
): Promise<void> {
  for (const obj of phases.flatMap((p) => p.objects)) {
    if (obj.apiVersion === KEDA_API_VERSION) continue;
    const hashed = await withAppliedHash(obj);
    const hash = appliedHashOf(hashed)!;
    const id = childId(obj);
    if (deps.accepted?.has(fd, id, hash)) continue;
    if (!wouldWrite(obj, hash, await deps.reader.get(refOf(obj)))) continue;
    await dryRun(hashed, deps);
    deps.accepted?.remember(fd, id, hash);
  }
}

/** Whether the rollout may write this content (jobs.ts and apply.ts decide the same way). */
function wouldWrite(desired: KubeObject, hash: string, live: KubeObject | undefined): boolean {
  if (desired.kind !== "Job") return appliedHashOf(live) !== hash;
  return !live || (jobFailed(live) && appliedHashOf(live) !== hash);
}

async function dryRun(hashed: KubeObject, deps: ReconcileDeps): Promise<void> {
  try {
    if (hashed.kind === "Job") {
      await deps.client.create(hashed, {
        fieldManager: FIELD_MANAGER,
        fieldValidation: "Strict",
        dryRun: true,
      });
    } else {
      await deps.client.apply(hashed, { fieldManager: FIELD_MANAGER, force: true, dryRun: true });
    }
  } catch (err) {
    if (hashed.kind === "Job" && isAlreadyExists(err)) return;
    if (isRefusal(err)) {
      throw new StepError(
        R.RejectedByApiServer,
        `the API server rejected ${childId(hashed)} (dry run; nothing was written): ` +
          err.serverMessage,
        { cause: err, retry: false },
      );
    }
    throw StepError.from(R.ApplyFailed, `dry run of ${childId(hashed)}`, err);
  }
}

/** The server refused the content itself, not the request at this moment. */
export function isRefusal(err: unknown): err is KubeApiError {
  if (!(err instanceof KubeApiError)) return false;
  if (err.status === 400 || err.status === 422) return true;
  // Server-side apply answers 500 when the object does not fit the kind's schema.
  return err.status === 500 && /failed to create typed patch object/.test(err.serverMessage);
}

/**
 * Per FrappeDeployment (by namespace/name, for its uid), the applied hash of
 * each child the API server accepted in a dry run. One entry per child, so
 * it stays as small as the bench; a deleted FrappeDeployment's is dropped.
 */
export class AcceptedChildren {
  readonly #byKey = new Map<string, { uid?: string; hashes: Map<string, string> }>();

  has(fd: KubeObject, id: string, hash: string): boolean {
    const entry = this.#byKey.get(keyOf(fd));
    return entry?.uid === fd.metadata.uid && entry?.hashes.get(id) === hash;
  }

  remember(fd: KubeObject, id: string, hash: string): void {
    let entry = this.#byKey.get(keyOf(fd));
    if (!entry || entry.uid !== fd.metadata.uid) {
      entry = { uid: fd.metadata.uid, hashes: new Map() };
      this.#byKey.set(keyOf(fd), entry);
    }
    entry.hashes.set(id, hash);
  }

  /** The FrappeDeployment is gone: drop its entry. */
  forget(key: string): void {
    this.#byKey.delete(key);
  }
}

const keyOf = (fd: KubeObject) => `${fd.metadata.namespace}/${fd.metadata.name}`;
