/**
 * The queue observer: the manager's one reader of the benches' queue Redis,
 * outside the reconcile path, so a tenant's slow or silent Redis costs the
 * observer (a few bounded slots), never a reconcile worker.
 *
 * - A bench enters when its reconcile calls `observe` (with the connection
 *   details the reconcile computes) and leaves with `forget` (deleted, or a
 *   managed Redis not ready). The observer runs only while the manager
 *   reconciles, so only the leader observes.
 * - Each bench has its own schedule: read at once when it enters or its
 *   target changes, then every `pollIntervalMs` while idle, every
 *   `min(pollIntervalMs, busyIntervalMs)` while jobs wait or run, and after a
 *   failure with a backoff that doubles per consecutive failure (30 s to 5 m).
 * - At most `concurrency` reads at once. Benches whose last read failed or
 *   was slow (over SLOW_READ_MS), or that were never read, share at most
 *   `concurrency - 1` of them: with 2+ slots a bench whose Redis answers
 *   promptly always finds one, however many others hang.
 * - Results stay in memory by FrappeDeployment uid. A result that differs
 *   from the last one (depths, or the condition's status, reason, message)
 *   enqueues the bench's key so the reconcile writes it; an equal one does
 *   nothing. The first "last one" is what status already shows, so an
 *   operator restart writes nothing when nothing changed.
 */
import { backoffDelay, type BackoffOptions } from "../kube/backoff.ts";
import type { KubeClient } from "../kube/client.ts";
import type { Clock } from "../kube/clock.ts";
import type { Logger } from "../kube/log.ts";
import { splitKey } from "../kube/resources.ts";
import { busy } from "../redis/queue_depth.ts";
import { canonicalJson } from "./hash.ts";
import {
  DEFAULT_READ_TIMEOUTS,
  failedRead,
  type QueueObservation,
  type QueueTarget,
  readQueues,
  type ReadTimeouts,
  sameObservation,
  targetPassword,
} from "./queue_read.ts";

export interface QueueObserverConfig {
  /** Reads at the same time (`--queue-read-concurrency`). */
  concurrency: number;
  /** Re-read interval of an idle bench (`--queue-poll-interval`). */
  pollIntervalMs: number;
  /** Budgets of one read (tests lengthen them to hold reads open). */
  timeouts?: ReadTimeouts;
  /** Delay after consecutive failed reads. */
  failureBackoff?: BackoffOptions;
}

export const DEFAULT_QUEUE_OBSERVER: QueueObserverConfig = {
  concurrency: 4,
  pollIntervalMs: 30_000,
};
/** Floor of every re-read interval (a pollingInterval may be 1 s). */
export const MIN_QUEUE_POLL_MS = 5000;
/** A read that took longer than this (even a successful one) puts its bench in the slow lane. */
export const SLOW_READ_MS = 500;
export const QUEUE_FAILURE_BACKOFF: BackoffOptions = { initialMs: 30_000, maxMs: 5 * 60_000 };

export interface QueueObserverDeps {
  client: KubeClient;
  clock: Clock;
  log: Logger;
  /** Wakes the reconcile of a bench whose result changed. */
  enqueue(key: string): void;
  /** Counts reads by outcome (metrics). */
  onRead?(ok: boolean): void;
  /** The Redis read; readQueues unless a unit test injects another. */
  read?: typeof readQueues;
}

interface Entry {
  target: QueueTarget;
  result: QueueObservation;
  failures: number;
  /** The last read succeeded within SLOW_READ_MS (or status said True before the first read). */
  prompt: boolean;
  /** An external password, resolved once per target and again after a failed read. */
  password?: { value: string | undefined };
  state: "waiting" | "due" | "reading";
  cancelTimer?: () => void;
  /** The target changed during the read: its result is dropped and the bench read again. */
  retargeted: boolean;
}

export class QueueObserver {
  readonly #c: QueueObserverConfig;
  readonly #d: QueueObserverDeps;
  readonly #entries = new Map<string, Entry>();
  readonly #uidByKey = new Map<string, string>();
  /** Due benches whose last read was prompt, and the others (failed, slow or never read). */
  #prompt: Entry[] = [];
  #other: Entry[] = [];
  #reading = 0;
  #readingOther = 0;
  readonly #reads = new Set<Promise<void>>();
  #running = false;

  constructor(config: QueueObserverConfig, deps: QueueObserverDeps) {
    this.#c = config;
    this.#d = deps;
  }

  /** The latest result for the target's bench (`seed` until its first read); starts observing it. */
  observe(target: QueueTarget, seed: QueueObservation): QueueObservation {
    const entry = this.#entries.get(target.uid);
    if (!entry) {
      this.#add(target, seed);
      return seed;
    }
    if (canonicalJson(entry.target) !== canonicalJson(target)) this.#retarget(entry, target);
    return entry.result;
  }

  /** Stops observing the FrappeDeployment of this key. */
  forget(key: string): void {
    const uid = this.#uidByKey.get(key);
    if (uid === undefined) return;
    this.#entries.get(uid)?.cancelTimer?.();
    this.#entries.delete(uid);
    this.#uidByKey.delete(key);
  }

  start(): void {
    this.#running = true;
    this.#pump();
  }

  /** Forgets every bench; resolves once the reads in flight (bounded by their timeouts) end. */
  async stop(): Promise<void> {
    this.#running = false;
    for (const e of this.#entries.values()) e.cancelTimer?.();
    this.#entries.clear();
    this.#uidByKey.clear();
    this.#prompt = [];
    this.#other = [];
    await Promise.all(this.#reads);
  }

  stats(): { benches: number; failing: number; reading: number } {
    const failing = [...this.#entries.values()].filter((e) => e.failures > 0).length;
    return { benches: this.#entries.size, failing, reading: this.#reading };
  }

  #add(target: QueueTarget, seed: QueueObservation): void {
    this.forget(target.key); // a FrappeDeployment re-created under the same name
    const entry: Entry = {
      target,
      result: seed,
      failures: 0,
      prompt: seed.condition?.status === "True",
      state: "waiting",
      retargeted: false,
    };
    this.#entries.set(target.uid, entry);
    this.#uidByKey.set(target.key, target.uid);
    this.#due(entry);
  }

  #retarget(entry: Entry, target: QueueTarget): void {
    entry.target = target;
    entry.password = undefined;
    if (entry.state === "reading") entry.retargeted = true;
    else if (entry.state === "waiting") this.#due(entry);
  }

  #due(entry: Entry): void {
    entry.cancelTimer?.();
    entry.cancelTimer = undefined;
    entry.state = "due";
    (entry.prompt ? this.#prompt : this.#other).push(entry);
    this.#pump();
  }

  #pump(): void {
    const otherSlots = Math.max(1, this.#c.concurrency - 1);
    while (this.#running && this.#reading < this.#c.concurrency) {
      const prompt = this.#take(this.#prompt);
      if (prompt) {
        this.#start(prompt, false);
        continue;
      }
      if (this.#readingOther >= otherSlots) return;
      const other = this.#take(this.#other);
      if (!other) return;
      this.#start(other, true);
    }
  }

  /** The next due entry still observed (forgotten ones are skipped). */
  #take(lane: Entry[]): Entry | undefined {
    while (lane.length > 0) {
      const entry = lane.shift()!;
      if (this.#entries.get(entry.target.uid) === entry && entry.state === "due") return entry;
    }
    return undefined;
  }

  #start(entry: Entry, other: boolean): void {
    entry.state = "reading";
    this.#reading++;
    if (other) this.#readingOther++;
    const started = this.#d.clock.now();
    const read = this.#read(entry).then((observation) => {
      this.#reading--;
      if (other) this.#readingOther--;
      this.#reads.delete(read);
      this.#finish(entry, observation, this.#d.clock.now() - started);
      this.#pump();
    });
    this.#reads.add(read);
  }

  async #read(entry: Entry): Promise<QueueObservation> {
    const target = entry.target;
    try {
      const password = entry.password ?? { value: await targetPassword(target, this.#d.client) };
      if (entry.target === target) entry.password = password; // not re-targeted meanwhile
      const read = this.#d.read ?? readQueues;
      return await read(target, password.value, this.#c.timeouts ?? DEFAULT_READ_TIMEOUTS);
    } catch (err) {
      return failedRead(target, err);
    }
  }

  #finish(entry: Entry, observation: QueueObservation, tookMs: number): void {
    if (!this.#running || this.#entries.get(entry.target.uid) !== entry) return;
    entry.state = "waiting";
    if (entry.retargeted) {
      entry.retargeted = false;
      return this.#due(entry);
    }
    const ok = observation.condition?.status === "True";
    this.#d.onRead?.(ok);
    entry.failures = ok ? 0 : entry.failures + 1;
    entry.prompt = ok && tookMs <= SLOW_READ_MS;
    if (!ok) entry.password = undefined;
    const changed = !sameObservation(entry.result, observation);
    if (!ok && changed) this.#logFailure(entry.target, observation);
    entry.result = observation;
    if (changed) this.#d.enqueue(entry.target.key);
    const delay = this.#nextDelay(entry, observation);
    entry.cancelTimer = this.#d.clock.setTimer(() => {
      entry.cancelTimer = undefined;
      if (this.#entries.get(entry.target.uid) === entry) this.#due(entry);
    }, delay);
  }

  #nextDelay(entry: Entry, observation: QueueObservation): number {
    if (entry.failures > 0) {
      return backoffDelay(entry.failures - 1, this.#c.failureBackoff ?? QUEUE_FAILURE_BACKOFF);
    }
    const poll = Math.max(MIN_QUEUE_POLL_MS, this.#c.pollIntervalMs);
    const busyMs = Math.max(MIN_QUEUE_POLL_MS, entry.target.busyIntervalMs);
    return observation.depths && busy(observation.depths) ? Math.min(poll, busyMs) : poll;
  }

  #logFailure(target: QueueTarget, observation: QueueObservation): void {
    const { namespace, name } = splitKey(target.key);
    this.#d.log.warn("reading queue depths failed", {
      namespace,
      name,
      reason: observation.condition?.reason,
      error: observation.condition?.message,
    });
  }
}
