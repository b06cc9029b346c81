/**
 * Where the leader-election record lives. The real store is a
 * coordination.k8s.io/v1 Lease, created with POST and updated with PUT and
 * its resourceVersion: optimistic concurrency is the point of a lock, so this
 * is the one object not written with server-side apply.
 */
import type { KubeClient } from "./client.ts";
import { microTime } from "./clock.ts";
import { isAlreadyExists, isConflict } from "./errors.ts";
import type { KubeObject } from "./types.ts";

export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  /** Milliseconds since the epoch. */
  acquireTime: number;
  renewTime: number;
  leaseTransitions: number;
}

export interface StoredLease {
  record: LeaseRecord;
  /** Opaque version for compare-and-swap. */
  version: string;
}

/** Thrown when another writer changed the lease first. */
export class LeaseConflictError extends Error {
  override name = "LeaseConflictError";
}

/** `signal` aborts a request that outlives the elector's deadline. */
export interface LeaseStore {
  get(signal?: AbortSignal): Promise<StoredLease | undefined>;
  /** Creates; LeaseConflictError if it exists. */
  create(record: LeaseRecord, signal?: AbortSignal): Promise<StoredLease>;
  /** Compare-and-swap on version; LeaseConflictError if it moved. */
  update(record: LeaseRecord, version: string, signal?: AbortSignal): Promise<StoredLease>;
  describe(): string;
}

const FIELD_MANAGER = "frappe-op-leader-election";

export class KubeLeaseStore implements LeaseStore {
  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
    private readonly name: string,
  ) {}

  describe(): string {
    return `Lease ${this.namespace}/${this.name}`;
  }

  async get(signal?: AbortSignal): Promise<StoredLease | undefined> {
    const lease = await this.client.get({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      namespace: this.namespace,
      name: this.name,
    }, signal);
    return lease ? fromLease(lease) : undefined;
  }

  async create(record: LeaseRecord, signal?: AbortSignal): Promise<StoredLease> {
    try {
      return fromLease(
        await this.client.create(this.#lease(record), { fieldManager: FIELD_MANAGER, signal }),
      );
    } catch (err) {
      if (isAlreadyExists(err)) throw new LeaseConflictError("lease exists", { cause: err });
      throw err;
    }
  }

  async update(record: LeaseRecord, version: string, signal?: AbortSignal): Promise<StoredLease> {
    try {
      return fromLease(
        await this.client.replace(this.#lease(record, version), {
          fieldManager: FIELD_MANAGER,
          signal,
        }),
      );
    } catch (err) {
      if (isConflict(err)) throw new LeaseConflictError("lease changed", { cause: err });
      throw err;
    }
  }

  #lease(r: LeaseRecord, resourceVersion?: string): KubeObject {
    return {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: this.name, namespace: this.namespace, resourceVersion },
      spec: {
        holderIdentity: r.holderIdentity,
        leaseDurationSeconds: r.leaseDurationSeconds,
        acquireTime: microTime(r.acquireTime),
        renewTime: microTime(r.renewTime),
        leaseTransitions: r.leaseTransitions,
      },
    };
  }
}

function fromLease(lease: KubeObject): StoredLease {
  const spec = lease.spec ?? {};
  const time = (s: unknown) => (typeof s === "string" ? Date.parse(s) : 0);
  return {
    version: lease.metadata.resourceVersion ?? "",
    record: {
      holderIdentity: spec.holderIdentity ?? "",
      leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
      acquireTime: time(spec.acquireTime),
      renewTime: time(spec.renewTime),
      leaseTransitions: spec.leaseTransitions ?? 0,
    },
  };
}
