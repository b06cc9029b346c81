/**
 * Is KEDA installed? Its CRDs (scaledobjects.keda.sh and
 * triggerauthentications.keda.sh) exist and are Established. The answer is
 * cached and re-checked after `ttlMs`; a failed re-check keeps the last known
 * answer (a transient API error does not flip KEDA to absent). The manager
 * re-checks every `--keda-recheck` through `KedaSwitch`, so a KEDA installed
 * later (or first seen after a failed check) switches autoscaled workers to
 * ScaledObjects.
 */
import type { KubeClient } from "../kube/client.ts";
import type { Clock } from "../kube/clock.ts";
import { errorChain } from "../kube/errors.ts";
import { type Logger, nullLogger } from "../kube/log.ts";
import type { KubeObject } from "../kube/types.ts";

export const KEDA_CRDS = ["scaledobjects.keda.sh", "triggerauthentications.keda.sh"];

export interface KedaDetector {
  /** Cached answer, refreshed when older than the TTL; throws only while no answer is known. */
  available(): Promise<boolean>;
  /** Asks the API server now; returns whether the answer changed (the first answer is a change). */
  refresh(): Promise<boolean>;
}

export class CrdKedaDetector implements KedaDetector {
  #value: boolean | undefined;
  #checkedAt = 0;

  constructor(
    private readonly client: KubeClient,
    private readonly clock: Clock,
    private readonly ttlMs = 60_000,
    private readonly log: Logger = nullLogger,
  ) {}

  async available(): Promise<boolean> {
    if (this.#value !== undefined && this.clock.now() - this.#checkedAt < this.ttlMs) {
      return this.#value;
    }
    try {
      await this.refresh();
    } catch (err) {
      if (this.#value === undefined) throw err;
      this.log.warn("checking for KEDA failed; keeping the last known answer", {
        available: this.#value,
        error: errorChain(err),
      });
      this.#checkedAt = this.clock.now(); // retried after the TTL, not on every call
    }
    return this.#value!;
  }

  async refresh(): Promise<boolean> {
    const now = await this.#lookUp();
    const changed = this.#value !== now;
    this.#value = now;
    this.#checkedAt = this.clock.now();
    return changed;
  }

  async #lookUp(): Promise<boolean> {
    try {
      const crds = await Promise.all(KEDA_CRDS.map((name) =>
        this.client.get({
          apiVersion: "apiextensions.k8s.io/v1",
          kind: "CustomResourceDefinition",
          name,
        })
      ));
      return crds.every((crd) => crd !== undefined && established(crd));
    } catch (err) {
      throw new Error(`looking up KEDA's CRDs (${KEDA_CRDS.join(", ")})`, { cause: err });
    }
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

/**
 * What to do after a look for KEDA. `known` is the answer the KEDA informers
 * run with, undefined while none was ever had (the first look failed: they
 * run without KEDA's kinds); `answer` is the look's, undefined if it failed.
 * - The first definite answer after unknown is always a switch, so the
 *   informers start (or their absence is confirmed) and every key is re-queued.
 * - A different answer is a switch.
 * - A failed look keeps the last known answer (`failed: true`); it never
 *   turns KEDA absent.
 */
export type KedaDecision =
  | { action: "switch"; available: boolean; first: boolean }
  | { action: "keep"; available: boolean | undefined; failed: boolean };

export function decideKeda(known: boolean | undefined, answer: boolean | undefined): KedaDecision {
  if (answer === undefined) return { action: "keep", available: known, failed: true };
  if (answer === known) return { action: "keep", available: known, failed: false };
  return { action: "switch", available: answer, first: known === undefined };
}

export interface KedaSwitchDeps {
  keda: KedaDetector;
  log: Logger;
  /** Starts or stops KEDA's informers for `available` and re-queues every FrappeDeployment. */
  apply: (available: boolean) => void;
}

/**
 * The manager's view of KEDA: the answer its informers run with, and the
 * switch when a look gives another one (`decideKeda`).
 */
export class KedaSwitch {
  #known: boolean | undefined;

  constructor(private readonly deps: KedaSwitchDeps) {}

  /** The answer the informers run with; undefined while KEDA was never seen either way. */
  get known(): boolean | undefined {
    return this.#known;
  }

  /** The first look, at start: what the informers start with (without KEDA's kinds while unknown). */
  async initial(): Promise<boolean> {
    try {
      this.#known = await this.deps.keda.available();
    } catch (err) {
      this.deps.log.warn(
        "checking for KEDA failed; starting without KEDA's informers until it answers",
        { error: errorChain(err) },
      );
    }
    return this.#known ?? false;
  }

  /** A later look: asks the API server now and switches if the answer is new. */
  async recheck(): Promise<KedaDecision> {
    const decision = decideKeda(this.#known, await this.#look());
    if (decision.action === "switch") {
      this.#known = decision.available;
      this.deps.log.info(switchMessage(decision), { available: decision.available });
      this.deps.apply(decision.available);
    }
    return decision;
  }

  async #look(): Promise<boolean | undefined> {
    try {
      await this.deps.keda.refresh();
      return await this.deps.keda.available();
    } catch (err) {
      this.deps.log.warn("re-checking for KEDA failed; keeping the last known answer", {
        available: this.#known ?? "unknown",
        error: errorChain(err),
      });
      return undefined;
    }
  }
}

function switchMessage(d: { available: boolean; first: boolean }): string {
  if (d.first) {
    return d.available ? "KEDA found (first answer)" : "KEDA not installed (first answer)";
  }
  return d.available ? "KEDA appeared" : "KEDA disappeared";
}
