/**
 * The generated credentials Secret is created exactly once with random
 * passwords and never overwritten: it is created with POST (which fails with
 * AlreadyExists instead of replacing), and every later render reproduces it
 * from the live values. An existing Secret without an owner (kept by
 * `deletionPolicy: Retain`) is adopted: a FrappeDeployment created again
 * with the same name gets the passwords its retained data needs. Values are
 * never logged.
 */
import type { FrappeDeployment } from "../apis/frappedeployment.ts";
import type { ObjectRef } from "../kube/client.ts";
import { isAlreadyExists } from "../kube/errors.ts";
import type { KubeObject } from "../kube/types.ts";
import { childNames } from "./render/common.ts";
import { cryptoRandomPassword } from "./render/context.ts";
import { credentialsSecret } from "./render/credentials.ts";
import { FIELD_MANAGER, type ReconcileDeps } from "./deps.ts";
import { assertNotForeign } from "./apply.ts";
import { StepError } from "./steps.ts";
import { ConditionReason } from "../apis/conditions.ts";

/** The live credentials Secret, created first if it does not exist. */
export async function ensureCredentials(
  fd: FrappeDeployment,
  deps: ReconcileDeps,
): Promise<KubeObject> {
  const ref: ObjectRef = {
    apiVersion: "v1",
    kind: "Secret",
    namespace: fd.metadata.namespace,
    name: childNames(fd).credentials,
  };
  try {
    // A cache miss is confirmed with the server: a stale cache must not mint new passwords.
    const live = await deps.reader.get(ref) ?? await deps.client.get(ref);
    if (live) {
      assertNotForeign(live, fd.metadata.uid);
      return live;
    }
    const random = deps.randomPassword ?? cryptoRandomPassword;
    deps.log.info("creating credentials Secret", { secret: ref.name, namespace: ref.namespace });
    return await createOrGet(bareSecret(credentialsSecret(fd, undefined, random)), ref, deps);
  } catch (err) {
    throw StepError.from(ConditionReason.ApplyFailed, `credentials Secret ${ref.name}`, err);
  }
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
