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

  describe(): string {
    return "FakeLeaseStore";
  }

  get current(): LeaseRecord | undefined {
    return this.#current?.record;
  }

  get(): Promise<StoredLease | undefined> {
    this.#maybeFail();
    return Promise.resolve(this.#current && structuredClone(this.#current));
  }

  create(record: LeaseRecord): Promise<StoredLease> {
    this.#maybeFail();
    if (this.#current) return Promise.reject(new LeaseConflictError("exists"));
    return Promise.resolve(this.#store(record));
  }

  update(record: LeaseRecord, version: string): Promise<StoredLease> {
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

  #maybeFail(): void {
    const err = this.failNext;
    if (err) {
      this.failNext = undefined;
      throw err;
    }
  }
}
