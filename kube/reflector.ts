/**
 * Reflector (informer): list, then watch from the list's resourceVersion with
 * bookmarks, keeping an in-memory store. A 410 Gone (HTTP status or ERROR
 * event) relists; other failures back off with jitter and relist. State is
 * SYNCED after a successful list and DESYNCED after a failure until the next
 * one. A periodic resync callback lets the owner re-enqueue everything.
 * A watch the server has not ended WATCH_GRACE_MS after its timeoutSeconds
 * sits on a dead connection (no FIN ever came): it is aborted and reopened.
 */
import { Backoff, type BackoffOptions } from "./backoff.ts";
import type { KubeClient } from "./client.ts";
import { type Clock, sleep } from "./clock.ts";
import { errorChain, isGone, KubeApiError, type KubeStatus } from "./errors.ts";
import type { Logger } from "./log.ts";
import { objectKey } from "./resources.ts";
import type { KubeObject } from "./types.ts";
import type { WatchEvent } from "./watch.ts";

export type ReflectorState = "DESYNCED" | "SYNCED";

/** How long past its server-side timeout a watch may stay open before it counts as stalled. */
export const WATCH_GRACE_MS = 30_000;
export type ChangeType = "added" | "updated" | "deleted";

export interface ReflectorOptions<T extends KubeObject> {
  client: KubeClient;
  apiVersion: string;
  kind: string;
  /** Watch one namespace; all namespaces when unset. */
  namespace?: string;
  labelSelector?: string;
  clock: Clock;
  log: Logger;
  /** Calls onResync this often while SYNCED; 0 or unset: never. */
  resyncMs?: number;
  /** Server-side watch timeout; the watch is then reopened from the last resourceVersion. */
  watchTimeoutSeconds?: number;
  backoff?: BackoffOptions;
  onChange?: (type: ChangeType, obj: T) => void;
  onResync?: () => void;
  onState?: (state: ReflectorState) => void;
}

export class Reflector<T extends KubeObject = KubeObject> {
  readonly #opts: ReflectorOptions<T>;
  readonly #store = new Map<string, T>();
  readonly #backoff: Backoff;
  #state: ReflectorState = "DESYNCED";
  #lists = 0;
  #expired = 0;
  #stalls = 0;

  constructor(opts: ReflectorOptions<T>) {
    this.#opts = opts;
    this.#backoff = new Backoff(opts.backoff ?? { initialMs: 800, maxMs: 30_000 });
  }

  get state(): ReflectorState {
    return this.#state;
  }

  /** How many times the reflector has listed (1 + relists). */
  get lists(): number {
    return this.#lists;
  }

  /** How many times a watch was told its resourceVersion expired (410 Gone). */
  get expirations(): number {
    return this.#expired;
  }

  /** How many watches were abandoned because the server never ended them. */
  get stalls(): number {
    return this.#stalls;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.#store.get(objectKey(namespace, name));
  }

  list(namespace?: string): T[] {
    const all = [...this.#store.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  /** Runs until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const resync = this.#resyncLoop(signal);
    while (!signal.aborted) {
      try {
        const rv = await this.#relist(signal);
        this.#setState("SYNCED");
        this.#backoff.reset();
        await this.#watchFrom(rv, signal);
      } catch (err) {
        if (signal.aborted) break;
        await this.#recover(err, signal);
      }
    }
    this.#setState("DESYNCED");
    await resync;
  }

  async #recover(err: unknown, signal: AbortSignal): Promise<void> {
    this.#setState("DESYNCED");
    if (isGone(err)) {
      this.#expired++;
      this.#opts.log.info("watch expired (410 Gone); relisting", { kind: this.#opts.kind });
      return;
    }
    const delay = this.#backoff.next();
    this.#opts.log.warn("list/watch failed; retrying", {
      kind: this.#opts.kind,
      retryInMs: delay,
      error: errorChain(err),
    });
    await sleep(this.#opts.clock, delay, signal);
  }

  async #relist(signal: AbortSignal): Promise<string> {
    const { client, apiVersion, kind, namespace, labelSelector } = this.#opts;
    const { items, resourceVersion } = await client.list<T>(apiVersion, kind, {
      namespace,
      labelSelector,
      signal,
    });
    this.#lists++;
    const seen = new Set<string>();
    for (const item of items) {
      const key = keyOf(item);
      seen.add(key);
      const old = this.#store.get(key);
      this.#store.set(key, item);
      if (!old) this.#emit("added", item);
      else if (old.metadata.resourceVersion !== item.metadata.resourceVersion) {
        this.#emit("updated", item);
      }
    }
    for (const [key, old] of [...this.#store]) {
      if (seen.has(key)) continue;
      this.#store.delete(key);
      this.#emit("deleted", old);
    }
    return resourceVersion;
  }

  /** Watches until aborted or failed; a normal end of the stream reopens from the last version. */
  async #watchFrom(resourceVersion: string, signal: AbortSignal): Promise<void> {
    let rv = resourceVersion;
    while (!signal.aborted) rv = await this.#watchOnce(rv, signal);
  }

  /** One watch request; returns the last resourceVersion seen. */
  async #watchOnce(resourceVersion: string, signal: AbortSignal): Promise<string> {
    const { client, apiVersion, kind, namespace, labelSelector, clock } = this.#opts;
    const timeoutSeconds = this.#opts.watchTimeoutSeconds ?? Math.round(300 + 300 * Math.random());
    const stalled = new AbortController();
    const cancel = clock.setTimer(() => stalled.abort(), timeoutSeconds * 1000 + WATCH_GRACE_MS);
    let rv = resourceVersion;
    try {
      const events = client.watch<T>(apiVersion, kind, {
        namespace,
        labelSelector,
        resourceVersion: rv,
        timeoutSeconds,
        signal: AbortSignal.any([signal, stalled.signal]),
      });
      for await (const event of events) rv = this.#handle(event, rv);
    } catch (err) {
      if (!stalled.signal.aborted || signal.aborted) throw err;
    } finally {
      cancel();
    }
    if (stalled.signal.aborted && !signal.aborted) {
      this.#stalls++;
      this.#opts.log.warn("watch outlived its timeout (dead connection?); reopening", {
        kind,
        timeoutSeconds,
      });
    }
    return rv;
  }

  #handle(event: WatchEvent<T>, rv: string): string {
    if (event.type === "ERROR") throw watchError(event.object as unknown as KubeStatus);
    const next = event.object.metadata?.resourceVersion ?? rv;
    if (event.type === "BOOKMARK") return next;
    const key = keyOf(event.object);
    if (event.type === "DELETED") {
      this.#store.delete(key);
      this.#emit("deleted", event.object);
    } else {
      const existed = this.#store.has(key);
      this.#store.set(key, event.object);
      this.#emit(existed ? "updated" : "added", event.object);
    }
    return next;
  }

  async #resyncLoop(signal: AbortSignal): Promise<void> {
    const every = this.#opts.resyncMs ?? 0;
    if (every <= 0) return;
    while (!signal.aborted) {
      await sleep(this.#opts.clock, every, signal);
      if (!signal.aborted && this.#state === "SYNCED") this.#opts.onResync?.();
    }
  }

  #emit(type: ChangeType, obj: T): void {
    this.#opts.onChange?.(type, obj);
  }

  #setState(state: ReflectorState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#opts.log.debug("reflector state", { kind: this.#opts.kind, state });
    this.#opts.onState?.(state);
  }
}

function keyOf(obj: KubeObject): string {
  return objectKey(obj.metadata.namespace, obj.metadata.name);
}

function watchError(status: KubeStatus): KubeApiError {
  const code = status.code ?? 500;
  return new KubeApiError(
    code,
    status.reason ?? (code === 410 ? "Expired" : "Unknown"),
    status.message ?? "watch error",
    "WATCH",
    "",
  );
}
