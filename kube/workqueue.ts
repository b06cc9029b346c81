/**
 * A de-duplicating work queue keyed `namespace/name` (client-go semantics):
 * - a key added many times while it waits is processed once;
 * - a key is never handed out twice at the same time;
 * - a key added while it is being processed runs again after `done`;
 * - `addRateLimited` requeues with per-key exponential backoff, `forget` resets it;
 * - `shutdown` wakes every waiting `get` with undefined.
 */
import { backoffDelay, type BackoffOptions } from "./backoff.ts";
import type { Clock } from "./clock.ts";

export interface WorkQueueOptions {
  clock: Clock;
  backoff?: BackoffOptions;
}

export const DEFAULT_REQUEUE_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 5 * 60_000 };

export class WorkQueue {
  readonly #clock: Clock;
  readonly #backoff: BackoffOptions;
  #queue: string[] = [];
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #delayed = new Map<string, { at: number; cancel: () => void }>();
  #waiters: ((key: string | undefined) => void)[] = [];
  #shuttingDown = false;

  constructor(opts: WorkQueueOptions) {
    this.#clock = opts.clock;
    this.#backoff = opts.backoff ?? DEFAULT_REQUEUE_BACKOFF;
  }

  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    this.#queue.push(key);
    this.#wake();
  }

  /** Adds after `ms`; of several delayed adds of one key, the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = this.#clock.now() + ms;
    const existing = this.#delayed.get(key);
    if (existing && existing.at <= at) return;
    existing?.cancel();
    const cancel = this.#clock.setTimer(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, ms);
    this.#delayed.set(key, { at, cancel });
  }

  /** Requeues after a backoff that grows with each failure of this key. */
  addRateLimited(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    const delay = backoffDelay(failures, this.#backoff);
    this.addAfter(key, delay);
    return delay;
  }

  /** Forgets the failure history of a key (call after a success). */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** The next key to process; waits for one; undefined once shut down. */
  get(): Promise<string | undefined> {
    const key = this.#take();
    if (key !== undefined || this.#shuttingDown) return Promise.resolve(key);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Marks a key processed; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key) && !this.#shuttingDown) {
      this.#queue.push(key);
      this.#wake();
    }
  }

  /** Keys waiting (not processing, not delayed). */
  len(): number {
    return this.#queue.length;
  }

  processing(): number {
    return this.#processing.size;
  }

  shutdown(): void {
    this.#shuttingDown = true;
    for (const { cancel } of this.#delayed.values()) cancel();
    this.#delayed.clear();
    this.#queue = [];
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w(undefined);
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  #take(): string | undefined {
    const key = this.#queue.shift();
    if (key === undefined) return undefined;
    this.#processing.add(key);
    this.#dirty.delete(key);
    return key;
  }

  #wake(): void {
    while (this.#waiters.length > 0 && this.#queue.length > 0) {
      const waiter = this.#waiters.shift()!;
      waiter(this.#take());
    }
  }
}

export interface ProcessResult {
  /** Process the key again after this many ms (level-triggered wait). */
  requeueAfterMs?: number;
}

/**
 * Runs `workers` loops taking keys from the queue until it shuts down. A throw
 * requeues the key with backoff; `requeueAfterMs` requeues it later.
 */
export async function runWorkers(
  queue: WorkQueue,
  workers: number,
  process: (key: string) => Promise<ProcessResult>,
  onError: (key: string, err: unknown, retryInMs: number) => void,
): Promise<void> {
  const loop = async () => {
    while (true) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        const result = await process(key);
        queue.forget(key);
        if (result.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
      } catch (err) {
        onError(key, err, queue.addRateLimited(key));
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
}
