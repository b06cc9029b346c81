/**
 * The generated credentials Secret `<fd>-credentials`. Render cannot invent
 * passwords: existing values are kept, and a missing one comes from the
 * `randomPassword` the reconciler injects. So the Secret is written once and
 * every later render reproduces it exactly. Kept under `deletionPolicy:
 * Retain`: the retained MariaDB data only opens with its root password.
 */
import type { FrappeDeployment } from "../../apis/frappedeployment.ts";
import type { KubeObject } from "../../kube/types.ts";
import { childNames, dataMeta } from "./common.ts";

export const CredentialKey = {
  redisQueue: "redis-queue-password",
  redisCache: "redis-cache-password",
  mariadbRoot: "mariadb-root-password",
  mariadb: "mariadb-password",
  admin: "admin-password",
} as const;
export const CREDENTIAL_KEYS = Object.values(CredentialKey);

export class MissingPasswordError extends Error {
  constructor(key: string) {
    super(
      `credentials Secret has no ${key} and no randomPassword was given to render ` +
        "(the reconciler must pass one)",
    );
    this.name = "MissingPasswordError";
  }
}

export function toBase64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function fromBase64(b64: string): string {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The Secret with every key: existing values kept, missing ones from `randomPassword`. */
export function credentialsSecret(
  fd: FrappeDeployment,
  existing?: KubeObject,
  randomPassword?: () => string,
): KubeObject {
  const old: Record<string, string> = existing?.data ?? {};
  const data: Record<string, string> = {};
  for (const key of CREDENTIAL_KEYS) {
    if (typeof old[key] === "string" && old[key].length > 0) {
      data[key] = old[key];
    } else if (randomPassword) {
      data[key] = toBase64(randomPassword());
    } else {
      throw new MissingPasswordError(key);
    }
  }
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: dataMeta(fd, childNames(fd).credentials, "credentials"),
    type: "Opaque",
    data,
  };
}

/** Plain-text values of a rendered credentials Secret (render it once, then read it here). */
export function credentialValues(secret: KubeObject): Record<string, string> {
  const data = (secret.data ?? {}) as Record<string, string>;
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, fromBase64(v)]));
}

/** `valueFrom` for one key of the credentials Secret. */
export function credentialRef(fd: FrappeDeployment, key: string): Record<string, unknown> {
  return { secretKeyRef: { name: childNames(fd).credentials, key } };
}
