/** FAKE in-memory LeaseStore for leader-election unit tests: compare-and-swap like the API server. */
import {
  LeaseConflictError,
  type LeaseRecord,
  type LeaseStore,
  type StoredLease,
} from "./lease_store.ts";

export class FakeLeaseStore implements LeaseStore {
  #current: StoredLease | undefined;
  #version = 0;
  /** When set, the next call throws it (simulates an API outage). */
  failNext: Error | undefined;
  /** When true, calls never answer until their signal aborts (a hung connection). */
  hang = false;

  describe(): string {
    return "FakeLeaseStore";
  }

  get current(): LeaseRecord | undefined {
    return this.#current?.record;
  }

  get(signal?: AbortSignal): Promise<StoredLease | undefined> {
    if (this.hang) return this.#hung(signal);
    this.#maybeFail();
    return Promise.resolve(this.#current && structuredClone(this.#current));
  }

  create(record: LeaseRecord, signal?: AbortSignal): Promise<StoredLease> {
    if (this.hang) return this.#hung(signal);
    this.#maybeFail();
    if (this.#current) return Promise.reject(new LeaseConflictError("exists"));
    return Promise.resolve(this.#store(record));
  }

  update(record: LeaseRecord, version: string, signal?: AbortSignal): Promise<StoredLease> {
    if (this.hang) return this.#hung(signal);
    this.#maybeFail();
    if (!this.#current || this.#current.version !== version) {
      return Promise.reject(new LeaseConflictError("version moved"));
    }
    return Promise.resolve(this.#store(record));
  }

  #store(record: LeaseRecord): StoredLease {
    this.#current = { record: { ...record }, version: String(++this.#version) };
    return structuredClone(this.#current);
  }

  /** Counts calls aborted while hung, so a test sees the elector gave up on them. */
  aborted = 0;

  #hung<T>(signal?: AbortSignal): Promise<T> {
    return new Promise((_, reject) => {
      signal?.addEventListener("abort", () => {
        this.aborted++;
        reject(new DOMException("aborted", "AbortError"));
      }, { once: true });
    });
  }

  #maybeFail(): void {
    const err = this.failNext;
    if (err) {
      this.failNext = undefined;
      throw err;
    }
  }
}
