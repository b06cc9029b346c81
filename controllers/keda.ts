/**
 * Is KEDA installed? Its CRDs (scaledobjects.keda.sh and
 * triggerauthentications.keda.sh) exist and are Established. The answer is
 * cached and re-checked after `ttlMs`; the manager also polls `refresh()` so
 * a KEDA installed later switches autoscaled workers to ScaledObjects.
 */
import type { KubeClient } from "../kube/client.ts";
import type { Clock } from "../kube/clock.ts";
import type { KubeObject } from "../kube/types.ts";

export const KEDA_CRDS = ["scaledobjects.keda.sh", "triggerauthentications.keda.sh"];

export interface KedaDetector {
  /** Cached answer, refreshed when older than the TTL. */
  available(): Promise<boolean>;
  /** Asks the API server now; returns whether the answer changed. */
  refresh(): Promise<boolean>;
}

export class CrdKedaDetector implements KedaDetector {
  #value: boolean | undefined;
  #checkedAt = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly clock: Clock,
    private readonly ttlMs = 60_000,
  ) {}

  async available(): Promise<boolean> {
    if (this.#value === undefined || this.clock.now() - this.#checkedAt >= this.ttlMs) {
      await this.refresh();
    }
    return this.#value!;
  }

  async refresh(): Promise<boolean> {
    const crds = await Promise.all(KEDA_CRDS.map((name) =>
      this.client.get({
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        name,
      })
    ));
    const now = crds.every((crd) => crd !== undefined && established(crd));
    const changed = this.#value !== undefined && this.#value !== now;
    this.#value = now;
    this.#checkedAt = this.clock.now();
    return changed;
  }
}

function established(crd: KubeObject): boolean {
  const conditions: { type: string; status: string }[] = crd.status?.conditions ?? [];
  return conditions.some((c) => c.type === "Established" && c.status === "True");
}

/** A fixed answer, for tests and `--keda=off`. */
export function staticKeda(value: boolean): KedaDetector {
  return { available: () => Promise.resolve(value), refresh: () => Promise.resolve(false) };
}
