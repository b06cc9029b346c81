/**
 * Secrets the user names in the spec must exist, with the key named, before
 * anything that mounts them rolls out. Otherwise pods sit in
 * CreateContainerConfigError and the FrappeDeployment only says "waiting".
 * Checked unless the bench is Ready at its current generation (first rollout,
 * degraded, or a spec change such as a switch to an external database, which
 * must not prune the managed one before its Secret is known), so a steady
 * bench costs no extra reads; user Secrets are not in the informer caches
 * (those hold only the operator's own children), hence direct reads.
 */
import { ConditionReason as R } from "../apis/conditions.ts";
import type { FrappeDeployment } from "../apis/frappedeployment.ts";
import type { KubeObject } from "../kube/types.ts";
import type { ReconcileDeps } from "./deps.ts";
import { StepError } from "./steps.ts";

export interface SecretReference {
  /** Where in the spec, for the message. */
  field: string;
  name: string;
  key: string;
}

export function referencedSecrets(spec: FrappeDeployment): SecretReference[] {
  const refs: SecretReference[] = [];
  spec.spec.sites.forEach((site, i) => {
    const r = site.adminPasswordSecretRef;
    if (r) refs.push({ field: `spec.sites[${i}].adminPasswordSecretRef`, ...r });
  });
  const db = spec.spec.database.external?.credentialsSecretRef;
  if (db) {
    const field = "spec.database.external.credentialsSecretRef";
    refs.push({ field, name: db.name, key: db.usernameKey });
    refs.push({ field, name: db.name, key: db.passwordKey });
  }
  for (const which of ["queue", "cache"] as const) {
    const r = spec.spec.redis[which].external?.passwordSecretRef;
    if (r) refs.push({ field: `spec.redis.${which}.external.passwordSecretRef`, ...r });
  }
  return refs;
}

/** Throws a StepError naming every missing Secret or key (retried with backoff). */
export async function checkReferencedSecrets(
  fd: KubeObject,
  spec: FrappeDeployment,
  deps: ReconcileDeps,
): Promise<void> {
  const steady = fd.status?.phase === "Ready" &&
    fd.status?.observedGeneration === fd.metadata.generation;
  if (steady) return;
  const namespace = fd.metadata.namespace!;
  const problems = new Set<string>();
  const secrets = new Map<string, KubeObject | undefined>();
  for (const ref of referencedSecrets(spec)) {
    if (!secrets.has(ref.name)) {
      try {
        secrets.set(
          ref.name,
          await deps.client.get({ apiVersion: "v1", kind: "Secret", namespace, name: ref.name }),
        );
      } catch (err) {
        throw StepError.from(R.ApplyFailed, `reading Secret ${ref.name}`, err);
      }
    }
    const secret = secrets.get(ref.name);
    // A Set: a missing Secret named once per field, not once per key it should hold.
    if (!secret) problems.add(`${ref.field}: Secret ${namespace}/${ref.name} not found`);
    else if (!(ref.key in (secret.data ?? {}))) {
      problems.add(`${ref.field}: Secret ${namespace}/${ref.name} has no key "${ref.key}"`);
    }
  }
  if (problems.size > 0) throw new StepError(R.SecretMissing, [...problems].join("; "));
}
