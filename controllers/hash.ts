/**
 * The applied-hash annotation: a digest of the desired object, stamped on it
 * when applied. At steady state the live object carries the same digest and
 * no write is sent (idempotence without diffing against server defaults).
 */
import type { KubeObject } from "../kube/types.ts";

export const APPLIED_HASH_ANNOTATION = "frappe-op.dev/applied-hash";

/** JSON with object keys sorted, so equal content gives equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 of the canonical JSON, first 16 hex characters. */
export async function digest(value: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(canonicalJson(value));
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(hash.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A copy of `obj` carrying the digest of its own content in the annotation. */
export async function withAppliedHash(obj: KubeObject): Promise<KubeObject> {
  const hash = await digest(obj);
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      annotations: { ...obj.metadata.annotations, [APPLIED_HASH_ANNOTATION]: hash },
    },
  };
}

export function appliedHashOf(obj: KubeObject | undefined): string | undefined {
  return obj?.metadata.annotations?.[APPLIED_HASH_ANNOTATION];
}
