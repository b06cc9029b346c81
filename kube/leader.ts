/**
 * Lease-based leader election, so two operator replicas never reconcile at
 * once. Same rules as client-go: a lease is expired when its record has not
 * changed for leaseDuration as measured on OUR clock (no cross-node clock
 * comparison); the leader renews every retryPeriod and steps down when it has
 * not renewed within renewDeadline; release empties holderIdentity. Each
 * attempt is cut off at the renew deadline (the request is aborted), so a
 * hung API call can never keep a leader acting past its lease.
 */
import { type Clock, sleep } from "./clock.ts";
import { errorChain } from "./errors.ts";
import {
  LeaseConflictError,
  type LeaseRecord,
  type LeaseStore,
  type StoredLease,
} from "./lease_store.ts";
import type { Logger } from "./log.ts";

export interface LeaderElectionOptions {
  store: LeaseStore;
  identity: string;
  clock: Clock;
  log: Logger;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  random?: () => number;
}

export type ElectionEnd = "stopped" | "lost";

export class LeaderElector {
  readonly #o: Required<Omit<LeaderElectionOptions, "random">> & { random: () => number };
  #observed: { lease: StoredLease; at: number } | undefined;
  #leader = false;
  #known = false;
  #lastRenew = 0;

  constructor(opts: LeaderElectionOptions) {
    this.#o = {
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      random: Math.random,
      ...opts,
    };
    if (this.#o.renewDeadlineMs >= this.#o.leaseDurationMs) {
      throw new Error("renewDeadline must be shorter than leaseDuration");
    }
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  /** True once the first attempt finished: we know whether we lead. */
  get stateKnown(): boolean {
    return this.#known;
  }

  /** Who holds the lease, as last observed. */
  get holder(): string | undefined {
    return this.#observed?.lease.record.holderIdentity || undefined;
  }

  /** One acquire-or-renew step; true when we hold the lease afterwards. */
  async tryAcquireOrRenew(signal?: AbortSignal): Promise<boolean> {
    const now = this.#o.clock.now();
    const { store } = this.#o;
    const current = await store.get(signal);
    if (!current) return await this.#write(() => store.create(this.#fresh(now, 0), signal), now);
    this.#observe(current, now);
    const rec = current.record;
    const mine = rec.holderIdentity === this.#o.identity;
    if (rec.holderIdentity && !mine && !this.#expired(now)) return false;
    const next: LeaseRecord = mine
      ? { ...rec, renewTime: now, leaseDurationSeconds: this.#durationSeconds() }
      : this.#fresh(now, rec.leaseTransitions + 1);
    return await this.#write(() => store.update(next, current.version, signal), now);
  }

  /**
   * Campaigns until the signal aborts ("stopped", lease released) or
   * leadership is lost ("lost": the caller should stop work, typically exit).
   */
  async run(
    signal: AbortSignal,
    callbacks: { onStartedLeading?: () => void; onStoppedLeading?: () => void } = {},
  ): Promise<ElectionEnd> {
    while (!signal.aborted) {
      const ok = await this.#attempt();
      const now = this.#o.clock.now();
      if (ok) {
        this.#lastRenew = now;
        if (!this.#leader) {
          this.#leader = true;
          this.#o.log.info("became leader", { lease: this.#o.store.describe() });
          callbacks.onStartedLeading?.();
        }
      } else if (this.#leader && this.#mustStepDown(now)) {
        this.#leader = false;
        this.#o.log.warn("lost leadership", { holder: this.holder });
        callbacks.onStoppedLeading?.();
        return "lost";
      }
      await sleep(this.#o.clock, this.#retryDelay(), signal);
    }
    await this.release();
    return "stopped";
  }

  /** Gives the lease up so a successor does not wait for it to expire. */
  async release(): Promise<void> {
    const observed = this.#observed;
    if (!this.#leader || !observed) return;
    this.#leader = false;
    const released = {
      ...observed.lease.record,
      holderIdentity: "",
      leaseDurationSeconds: 1,
      renewTime: this.#o.clock.now(),
    };
    try {
      await this.#o.store.update(released, observed.lease.version);
      this.#o.log.info("released leadership");
    } catch (err) {
      this.#o.log.warn("releasing the lease failed; it will expire", { error: errorChain(err) });
    }
  }

  async #attempt(): Promise<boolean> {
    const { clock, renewDeadlineMs } = this.#o;
    const budget = this.#leader
      ? Math.max(0, renewDeadlineMs - (clock.now() - this.#lastRenew))
      : renewDeadlineMs;
    const deadline = new AbortController();
    const cancel = clock.setTimer(() => deadline.abort(), budget);
    const timedOut = new Promise<false>((resolve) =>
      deadline.signal.addEventListener("abort", () => resolve(false), { once: true })
    );
    try {
      const ok = await Promise.race([this.tryAcquireOrRenew(deadline.signal), timedOut]);
      if (deadline.signal.aborted) {
        this.#o.log.warn("leader election attempt timed out", { afterMs: budget });
      }
      return ok && !deadline.signal.aborted;
    } catch (err) {
      this.#o.log.warn("leader election attempt failed", { error: errorChain(err) });
      return false;
    } finally {
      cancel();
      deadline.abort();
      this.#known = true;
    }
  }

  #mustStepDown(now: number): boolean {
    const someoneElse = this.holder !== undefined && this.holder !== this.#o.identity;
    return someoneElse || now - this.#lastRenew >= this.#o.renewDeadlineMs;
  }

  async #write(fn: () => Promise<StoredLease>, now: number): Promise<boolean> {
    try {
      this.#observe(await fn(), now);
      return true;
    } catch (err) {
      if (err instanceof LeaseConflictError) return false;
      throw err;
    }
  }

  #observe(lease: StoredLease, now: number): void {
    if (this.#observed?.lease.version !== lease.version) this.#observed = { lease, at: now };
  }

  #expired(now: number): boolean {
    const o = this.#observed;
    if (!o) return false;
    return o.at + o.lease.record.leaseDurationSeconds * 1000 <= now;
  }

  #fresh(now: number, transitions: number): LeaseRecord {
    return {
      holderIdentity: this.#o.identity,
      leaseDurationSeconds: this.#durationSeconds(),
      acquireTime: now,
      renewTime: now,
      leaseTransitions: transitions,
    };
  }

  #durationSeconds(): number {
    return Math.ceil(this.#o.leaseDurationMs / 1000);
  }

  #retryDelay(): number {
    const base = this.#o.retryPeriodMs;
    return this.#leader ? base : Math.round(base * (1 + 0.2 * this.#o.random()));
  }
}
