/**
 * The generated credentials Secret is created exactly once with random
 * passwords and never overwritten: it is created with POST (which fails with
 * AlreadyExists instead of replacing), and every later render reproduces it
 * from the live values. Values are never logged.
 */
import type { FrappeDeployment } from "../apis/frappedeployment.ts";
import type { ObjectRef } from "../kube/client.ts";
import { isAlreadyExists } from "../kube/errors.ts";
import type { KubeObject } from "../kube/types.ts";
import { childNames } from "./render/common.ts";
import { cryptoRandomPassword } from "./render/context.ts";
import { credentialsSecret } from "./render/credentials.ts";
import { FIELD_MANAGER, type ReconcileDeps } from "./deps.ts";
import { withAppliedHash } from "./hash.ts";
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
    const secret = await withAppliedHash(credentialsSecret(fd, undefined, random));
    deps.log.info("creating credentials Secret", { secret: ref.name, namespace: ref.namespace });
    return await createOrGet(secret, ref, deps);
  } catch (err) {
    throw StepError.from(ConditionReason.ApplyFailed, `credentials Secret ${ref.name}`, err);
  }
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
