/** Exponential backoff with jitter, for watches, requeues and leader election retries. */

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Growth per attempt; default 2. */
  factor?: number;
  /** Fraction of the delay randomised: 0.2 gives delay * [0.8, 1.2). Default 0.2. */
  jitter?: number;
  /** Random source in [0, 1); injected by tests. */
  random?: () => number;
}

/** Delay before retry number `attempt` (0-based). */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const factor = opts.factor ?? 2;
  const jitter = opts.jitter ?? 0.2;
  const random = opts.random ?? Math.random;
  const base = Math.min(opts.maxMs, opts.initialMs * Math.pow(factor, Math.max(0, attempt)));
  const spread = base * jitter * (2 * random() - 1);
  return Math.max(0, Math.round(Math.min(opts.maxMs * (1 + jitter), base + spread)));
}

/** Stateful backoff: `next()` grows, `reset()` after a success. */
export class Backoff {
  #attempt = 0;
  constructor(readonly opts: BackoffOptions) {}

  next(): number {
    return backoffDelay(this.#attempt++, this.opts);
  }

  reset(): void {
    this.#attempt = 0;
  }

  get attempts(): number {
    return this.#attempt;
  }
}
