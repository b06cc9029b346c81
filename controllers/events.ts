/**
 * core/v1 Events on a FrappeDeployment, de-duplicated: the same reason and
 * message for the same object patch the existing Event's count instead of
 * creating a new one. The Event name is derived from (uid, reason, message),
 * so a restarted operator continues the same Event. Written with server-side
 * apply. Reconcile only records on a change, so a steady state writes none.
 */
import { shortHash } from "../apis/naming.ts";
import type { KubeClient } from "../kube/client.ts";
import { type Clock, isoTime } from "../kube/clock.ts";
import { errorChain } from "../kube/errors.ts";
import type { Logger } from "../kube/log.ts";
import type { KubeObject } from "../kube/types.ts";
import { FIELD_MANAGER } from "./deps.ts";

export type EventType = "Normal" | "Warning";

export interface EventRecorder {
  record(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void>;
  /** As record, but nothing when this process recorded the same event before. */
  recordOnce(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void>;
}

const MESSAGE_MAX = 1024;

export class KubeEventRecorder implements EventRecorder {
  readonly #seen = new Map<string, { count: number; first: string }>();

  constructor(
    private readonly client: KubeClient,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly instance = "frappe-op",
  ) {}

  /** Best effort: a failed Event is logged, never fails the reconcile. */
  async record(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const { text, key } = this.#keyOf(obj, type, reason, message);
    const name = `${obj.metadata.name}.${shortHash(key)}`;
    try {
      const prior = this.#seen.get(key) ?? (await this.#existing(obj, name));
      const now = isoTime(this.clock);
      const count = (prior?.count ?? 0) + 1;
      const first = prior?.first ?? now;
      await this.client.apply(this.#event(obj, name, type, reason, text, count, first, now), {
        fieldManager: FIELD_MANAGER,
        force: true,
      });
      this.#seen.set(key, { count, first });
    } catch (err) {
      this.log.warn("recording an event failed", { reason, error: errorChain(err) });
    }
  }

  async recordOnce(obj: KubeObject, type: EventType, reason: string, message: string) {
    if (this.#seen.has(this.#keyOf(obj, type, reason, message).key)) return;
    await this.record(obj, type, reason, message);
  }

  #keyOf(obj: KubeObject, type: EventType, reason: string, message: string) {
    const text = message.length > MESSAGE_MAX ? message.slice(0, MESSAGE_MAX - 3) + "..." : message;
    return { text, key: `${obj.metadata.uid}|${type}|${reason}|${text}` };
  }

  async #existing(obj: KubeObject, name: string) {
    const ev = await this.client.get({
      apiVersion: "v1",
      kind: "Event",
      namespace: obj.metadata.namespace,
      name,
    });
    return ev
      ? { count: ev.count ?? 1, first: ev.firstTimestamp ?? isoTime(this.clock) }
      : undefined;
  }

  #event(
    obj: KubeObject,
    name: string,
    type: EventType,
    reason: string,
    message: string,
    count: number,
    first: string,
    last: string,
  ): KubeObject {
    return {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace: obj.metadata.namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
      },
      type,
      reason,
      message,
      count,
      firstTimestamp: first,
      lastTimestamp: last,
      source: { component: "frappe-op" },
      reportingComponent: "frappe-op",
      reportingInstance: this.instance,
    };
  }
}

/** Keeps events in memory: for tests and `--events=off`. */
export class MemoryEventRecorder implements EventRecorder {
  readonly events: { name: string; type: EventType; reason: string; message: string }[] = [];
  record(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    this.events.push({ name: obj.metadata.name, type, reason, message });
    return Promise.resolve();
  }
  recordOnce(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const seen = this.events.some((e) =>
      e.name === obj.metadata.name && e.type === type && e.reason === reason &&
      e.message === message
    );
    return seen ? Promise.resolve() : this.record(obj, type, reason, message);
  }
}
