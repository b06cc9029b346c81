import type { KubeObject } from "../../kube/types.ts";

/** What render needs besides the FrappeDeployment itself. Everything here is passed in. */
export interface RenderContext {
  /** KEDA's CRDs exist: autoscaled workers get ScaledObjects. */
  kedaAvailable: boolean;
  /** Namespace of the operator (its pods may read Redis for status). */
  operatorNamespace?: string;
  /** Namespace of KEDA's operator (it reads the queue Redis). Default `keda`. */
  kedaNamespace?: string;
  /** The credentials Secret as it exists in the cluster: its values are kept. */
  existingCredentials?: KubeObject;
  /**
   * Makes a new password for a credentials key that does not exist yet. The
   * reconciler passes a crypto-random one; render itself never calls
   * anything random or time-based.
   */
  randomPassword?: () => string;
}

/** A 32-character alphanumeric password from the platform CSPRNG (for callers, not render). */
export function cryptoRandomPassword(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  // 256 % 62 != 0: reject bytes >= 248 for an unbiased draw.
  let out = "";
  for (const b of bytes) if (b < 248) out += alphabet[b % 62];
  return out.length >= 24 ? out : out + cryptoRandomPassword();
}
