/**
 * The generated credentials Secret is created exactly once with random
 * passwords and never overwritten: it is created with POST (which fails with
 * AlreadyExists instead of replacing), only after the dry-run gate passed
 * (dry_run.ts), and every later render reproduces it from the live values.
 * An existing Secret without an owner (kept by `deletionPolicy: Retain`) is
 * adopted: a FrappeDeployment created again with the same name gets the
 * passwords its retained data needs. Values are never logged.
 *
 * Passwords are minted only for a bench without data: when the Secret (or a
 * key of it) is gone while the bench's volumes exist (the MariaDB data opens
 * only with its old root password, the running Redis and the created sites
 * use the old ones), the step fails with `CredentialsLost` instead; the
 * Secret must be restored, or the data deleted.
 */
import type { FrappeDeployment } from "../apis/frappedeployment.ts";
import type { ObjectRef } from "../kube/client.ts";
import { isAlreadyExists } from "../kube/errors.ts";
import type { KubeObject } from "../kube/types.ts";
import { childNames } from "./render/common.ts";
import { cryptoRandomPassword } from "./render/context.ts";
import { CREDENTIAL_KEYS, credentialsSecret } from "./render/credentials.ts";
import { dataClaimNames } from "./render/names.ts";
import { FIELD_MANAGER, type ReconcileDeps } from "./deps.ts";
import { assertNotForeign } from "./apply.ts";
import { StepError } from "./steps.ts";
import { ConditionReason } from "../apis/conditions.ts";

/** The credentials Secret render starts from. */
export interface Credentials {
  secret: KubeObject;
  /** New passwords for a bench without a Secret, not stored yet (`createCredentials`). */
  minted: boolean;
}

/**
 * The live credentials Secret, or new passwords when there is none. Nothing is
 * written here: reconcile stores minted ones only once the dry run of every
 * child has passed, so a rejected spec leaves no Secret behind.
 */
export async function readCredentials(
  fd: FrappeDeployment,
  deps: ReconcileDeps,
): Promise<Credentials> {
  const ref = credentialsRef(fd);
  try {
    // A cache miss is confirmed with the server: a stale cache must not mint new passwords.
    const live = await deps.reader.get(ref) ?? await deps.client.get(ref);
    if (live) assertNotForeign(live, fd.metadata.uid);
    await assertNoDataWithoutPasswords(fd, live, deps);
    if (live) return { secret: live, minted: false };
    const random = deps.randomPassword ?? cryptoRandomPassword;
    return { secret: credentialsSecret(fd, undefined, random), minted: true };
  } catch (err) {
    throw StepError.from(ConditionReason.ApplyFailed, `credentials Secret ${ref.name}`, err);
  }
}

/**
 * Stores minted credentials with POST, which never replaces: returns the live
 * Secret, the one created here or, after AlreadyExists, one a concurrent
 * writer created first (whose values then win).
 */
export async function createCredentials(
  fd: FrappeDeployment,
  minted: KubeObject,
  deps: ReconcileDeps,
): Promise<KubeObject> {
  const ref = credentialsRef(fd);
  try {
    deps.log.info("creating credentials Secret", { secret: ref.name, namespace: ref.namespace });
    return await createOrGet(bareSecret(minted), ref, deps);
  } catch (err) {
    throw StepError.from(ConditionReason.ApplyFailed, `credentials Secret ${ref.name}`, err);
  }
}

function credentialsRef(fd: FrappeDeployment): ObjectRef {
  return {
    apiVersion: "v1",
    kind: "Secret",
    namespace: fd.metadata.namespace,
    name: childNames(fd).credentials,
  };
}

/** Keys render would have to mint: absent or empty in the live Secret. */
export function missingCredentialKeys(live: KubeObject | undefined): string[] {
  const data: Record<string, unknown> = live?.data ?? {};
  return CREDENTIAL_KEYS.filter((k) => typeof data[k] !== "string" || data[k] === "");
}

/** Throws `CredentialsLost` when passwords are missing but the data made with them exists. */
async function assertNoDataWithoutPasswords(
  fd: FrappeDeployment,
  live: KubeObject | undefined,
  deps: ReconcileDeps,
): Promise<void> {
  const missing = missingCredentialKeys(live);
  if (missing.length === 0) return;
  const { namespace } = fd.metadata;
  const claims: string[] = [];
  for (const name of dataClaimNames(fd)) {
    // Direct reads (rare path): a stale cache must not hide the data.
    const pvc = await deps.client.get({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      namespace,
      name,
    });
    if (pvc && !pvc.metadata.deletionTimestamp) claims.push(name);
  }
  if (claims.length === 0) return;
  const secret = `${namespace}/${childNames(fd).credentials}`;
  const what = live ? `Secret ${secret} has no ${missing.join(", ")}` : `Secret ${secret} is gone`;
  throw new StepError(
    ConditionReason.CredentialsLost,
    `${what}, but this bench's data was created with those passwords ` +
      `(PersistentVolumeClaim ${claims.join(", ")}); new ones would lock it out, so none are ` +
      `generated. Restore the Secret (e.g. from a backup), or delete the data to start afresh: ` +
      `kubectl -n ${namespace} delete pvc ${claims.join(" ")}`,
  );
}

/**
 * The Secret as created: without ownerReferences and applied hash. The rollout
 * applies it right after (server-side apply), so only that apply owns the
 * ownerReference and can remove it when `deletionPolicy` changes; a field set
 * by this POST would stay owned by it.
 */
function bareSecret(secret: KubeObject): KubeObject {
  const { ownerReferences: _, ...metadata } = secret.metadata;
  return { ...secret, metadata };
}

async function createOrGet(secret: KubeObject, ref: ObjectRef, deps: ReconcileDeps) {
  try {
    return await deps.client.create(secret, { fieldManager: FIELD_MANAGER });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const live = await deps.client.get(ref);
    if (!live) {
      throw new Error("credentials Secret vanished right after AlreadyExists", { cause: err });
    }
    return live;
  }
}
