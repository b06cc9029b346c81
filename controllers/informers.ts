/**
 * The manager's informers: FrappeDeployments, and every child kind
 * (labelled managed-by=frappe-op) mapped to its owner's key. One reflector
 * per kind and watched namespace (or one for all namespaces). Also the cache
 * Reader that reconcile uses, falling back to the API for unwatched kinds.
 */
import { API_VERSION, KIND } from "../apis/frappedeployment.ts";
import type { KubeClient, ObjectRef } from "../kube/client.ts";
import type { Clock } from "../kube/clock.ts";
import type { Logger } from "../kube/log.ts";
import { Reflector } from "../kube/reflector.ts";
import { objectKey } from "../kube/resources.ts";
import type { KubeObject } from "../kube/types.ts";
import { directReader, matchesLabels, type Reader } from "./deps.ts";
import { CHILD_KINDS, type ChildKind } from "./prune.ts";
import { INSTANCE_LABEL, MANAGED_BY_LABEL } from "./children.ts";
import { MANAGED_BY } from "./render/common.ts";

export interface InformerOptions {
  client: KubeClient;
  clock: Clock;
  log: Logger;
  /** Watched namespaces; undefined: all. */
  namespaces?: string[];
  resyncMs: number;
  /** Called with the key of a FrappeDeployment to reconcile. */
  enqueue: (key: string) => void;
  /** Called on each periodic resync of the FrappeDeployment informer. */
  onResync: () => void;
}

const kindKey = (apiVersion: string, kind: string) => `${apiVersion}/${kind}`;

export class Informers {
  readonly #o: InformerOptions;
  readonly #sets = new Map<string, { reflectors: Reflector[]; stop: AbortController }>();
  readonly #runs: Promise<void>[] = [];

  constructor(opts: InformerOptions) {
    this.#o = opts;
  }

  /** Starts the FrappeDeployment informer and the child informers (KEDA's when available). */
  start(kedaAvailable: boolean): void {
    this.#startKind(API_VERSION, KIND, (obj) => this.#o.enqueue(keyOf(obj)), true);
    for (const k of CHILD_KINDS) if (!k.keda || kedaAvailable) this.#startChild(k);
  }

  /** KEDA appeared or disappeared: start or stop the ScaledObject/TriggerAuthentication informers. */
  setKeda(available: boolean): void {
    for (const k of CHILD_KINDS.filter((c) => c.keda)) {
      const key = kindKey(k.apiVersion, k.kind);
      if (available && !this.#sets.has(key)) this.#startChild(k);
      if (!available) {
        this.#sets.get(key)?.stop.abort();
        this.#sets.delete(key);
      }
    }
  }

  synced(): boolean {
    return [...this.#sets.values()].every((s) => s.reflectors.every((r) => r.state === "SYNCED"));
  }

  unsynced(): string[] {
    return [...this.#sets.entries()]
      .filter(([, s]) => s.reflectors.some((r) => r.state !== "SYNCED"))
      .map(([k]) => k);
  }

  frappeDeploymentKeys(): string[] {
    return this.#reflectorsFor(API_VERSION, KIND)?.flatMap((r) => r.list().map(keyOf)) ?? [];
  }

  /** Stops every informer; resolves when they have ended. */
  async stop(): Promise<void> {
    for (const s of this.#sets.values()) s.stop.abort();
    await Promise.all(this.#runs);
  }

  /** Reads from the caches; kinds without an informer go to the API server. */
  reader(): Reader {
    const direct = directReader(this.#o.client);
    return {
      get: (ref: ObjectRef) => {
        const r = this.#reflectorFor(ref.apiVersion, ref.kind, ref.namespace);
        return r ? Promise.resolve(r.get(ref.namespace, ref.name)) : direct.get(ref);
      },
      list: (apiVersion, kind, namespace, labels) => {
        const r = this.#reflectorFor(apiVersion, kind, namespace);
        // Child caches hold only objects labelled managed-by=frappe-op.
        const cached = kind === KIND || labels[MANAGED_BY_LABEL] === MANAGED_BY;
        if (!r || !cached) return direct.list(apiVersion, kind, namespace, labels);
        return Promise.resolve(r.list(namespace).filter((o) => matchesLabels(o, labels)));
      },
    };
  }

  #startChild(k: ChildKind): void {
    this.#startKind(k.apiVersion, k.kind, (obj) => {
      const owner = ownerKey(obj);
      if (owner) this.#o.enqueue(owner);
    }, false);
  }

  #startKind(
    apiVersion: string,
    kind: string,
    onObject: (o: KubeObject) => void,
    primary: boolean,
  ) {
    const stop = new AbortController();
    const namespaces = this.#o.namespaces ?? [undefined];
    const reflectors = namespaces.map((namespace) =>
      new Reflector({
        client: this.#o.client,
        apiVersion,
        kind,
        namespace,
        labelSelector: primary ? undefined : `${MANAGED_BY_LABEL}=${MANAGED_BY}`,
        clock: this.#o.clock,
        log: this.#o.log,
        resyncMs: primary ? this.#o.resyncMs : undefined,
        onChange: (_type, obj) => onObject(obj),
        onResync: primary ? this.#o.onResync : undefined,
      })
    );
    this.#sets.set(kindKey(apiVersion, kind), { reflectors, stop });
    for (const r of reflectors) this.#runs.push(r.run(stop.signal));
  }

  #reflectorsFor(apiVersion: string, kind: string): Reflector[] | undefined {
    return this.#sets.get(kindKey(apiVersion, kind))?.reflectors;
  }

  /** The synced reflector covering a namespace, if any. */
  #reflectorFor(apiVersion: string, kind: string, namespace?: string): Reflector | undefined {
    const reflectors = this.#reflectorsFor(apiVersion, kind);
    if (!reflectors || !namespace) return undefined;
    const all = this.#o.namespaces === undefined;
    const r = all ? reflectors[0] : reflectors[this.#o.namespaces!.indexOf(namespace)];
    return r?.state === "SYNCED" ? r : undefined;
  }
}

function keyOf(obj: KubeObject): string {
  return objectKey(obj.metadata.namespace, obj.metadata.name);
}

/**
 * `namespace/name` of the FrappeDeployment a child belongs to: its controller,
 * else (data kept without an owner under `deletionPolicy: Retain`, and the
 * claims a StatefulSet makes) its instance label, so deleting the credentials
 * Secret or a volume by hand is seen at once, not at the next resync.
 */
export function ownerKey(obj: KubeObject): string | undefined {
  const ref = (obj.metadata.ownerReferences ?? []).find((r) =>
    r.controller === true && r.kind === KIND && r.apiVersion === API_VERSION
  );
  if (ref) return objectKey(obj.metadata.namespace, ref.name);
  const instance = obj.metadata.labels?.[INSTANCE_LABEL];
  return instance ? objectKey(obj.metadata.namespace, instance) : undefined;
}
