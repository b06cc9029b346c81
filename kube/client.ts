/**
 * Typed calls over a Transport: get, list, server-side apply (also of
 * /status), create, replace, delete, watch. Server-side apply is just a PATCH
 * with `application/apply-patch+yaml` (JSON is valid YAML), a field manager
 * and `force`; apply and create can also be dry runs.
 */
import { isNotFound } from "./errors.ts";
import { resourceFor, resourcePath } from "./resources.ts";
import { APPLY_PATCH, type QueryValue, type Transport } from "./transport.ts";
import type { KubeObject } from "./types.ts";
import { decodeWatchStream, type WatchEvent } from "./watch.ts";

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  signal?: AbortSignal;
}

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

export interface WatchOptions extends ListOptions {
  resourceVersion: string;
  timeoutSeconds?: number;
}

export interface ApplyOptions {
  fieldManager: string;
  force?: boolean;
  /** `dryRun=All`: validated and admitted as a real write would be, persisted nowhere. */
  dryRun?: boolean;
  signal?: AbortSignal;
}

export interface CreateOptions {
  fieldManager: string;
  dryRun?: boolean;
  /** Unknown or duplicate fields: Strict refuses them (apply always does), Warn drops them. */
  fieldValidation?: "Strict" | "Warn" | "Ignore";
  signal?: AbortSignal;
}

export type PropagationPolicy = "Background" | "Foreground" | "Orphan";

export function refOf(obj: KubeObject): ObjectRef {
  const { apiVersion, kind, metadata: { namespace, name } } = obj;
  return { apiVersion, kind, namespace, name };
}

const PAGE_SIZE = 500;

interface ListPage<T> {
  items?: T[];
  metadata?: { resourceVersion?: string; continue?: string };
}

export class KubeClient {
  constructor(readonly transport: Transport) {}

  async get<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    signal?: AbortSignal,
  ): Promise<T | undefined> {
    try {
      return await this.transport.request({ method: "GET", path: pathOf(ref), signal }) as T;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Lists every page; items get their apiVersion and kind back. */
  async list<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    opts: ListOptions = {},
  ): Promise<ListResult<T>> {
    const path = resourcePath(resourceFor(apiVersion, kind), { namespace: opts.namespace });
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion = "";
    do {
      const query = selectors(opts, { limit: PAGE_SIZE, continue: cont });
      const page = await this.transport.request({
        method: "GET",
        path,
        query,
        signal: opts.signal,
      }) as ListPage<T>;
      for (const item of page.items ?? []) items.push({ ...item, apiVersion, kind });
      resourceVersion = page.metadata?.resourceVersion ?? "";
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return { items, resourceVersion };
  }

  /** Server-side apply of `obj` (apiVersion, kind, metadata.name/namespace required). */
  apply<T extends KubeObject = KubeObject>(obj: KubeObject, opts: ApplyOptions): Promise<T> {
    return this.#apply<T>(obj, opts);
  }

  /** Server-side apply to the /status subresource; send only metadata identity and status. */
  applyStatus<T extends KubeObject = KubeObject>(obj: KubeObject, opts: ApplyOptions): Promise<T> {
    return this.#apply<T>(obj, opts, "status");
  }

  async create<T extends KubeObject = KubeObject>(
    obj: KubeObject,
    opts: CreateOptions,
  ): Promise<T> {
    const ref = refOf(obj);
    const path = resourcePath(resourceFor(ref.apiVersion, ref.kind), { namespace: ref.namespace });
    const query = {
      fieldManager: opts.fieldManager,
      fieldValidation: opts.fieldValidation,
      dryRun: dryRunOf(opts),
    };
    return await this.transport.request({
      method: "POST",
      path,
      query,
      body: obj,
      signal: opts.signal,
    }) as T;
  }

  /** PUT with the object's resourceVersion: optimistic concurrency (used for Leases). */
  async replace<T extends KubeObject = KubeObject>(
    obj: KubeObject,
    opts: { fieldManager: string; signal?: AbortSignal },
  ): Promise<T> {
    const query = { fieldManager: opts.fieldManager };
    return await this.transport.request({
      method: "PUT",
      path: pathOf(refOf(obj)),
      query,
      body: obj,
      signal: opts.signal,
    }) as T;
  }

  /** Deletes; false when it was already gone. Background propagation by default. */
  async delete(
    ref: ObjectRef,
    opts: { propagationPolicy?: PropagationPolicy; uid?: string; signal?: AbortSignal } = {},
  ): Promise<boolean> {
    const body = {
      apiVersion: "v1",
      kind: "DeleteOptions",
      propagationPolicy: opts.propagationPolicy ?? "Background",
      ...(opts.uid ? { preconditions: { uid: opts.uid } } : {}),
    };
    try {
      await this.transport.request({
        method: "DELETE",
        path: pathOf(ref),
        body,
        signal: opts.signal,
      });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Opens a watch from `resourceVersion`, with bookmarks; yields events until the server ends it. */
  async *watch<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    opts: WatchOptions,
  ): AsyncGenerator<WatchEvent<T>> {
    const path = resourcePath(resourceFor(apiVersion, kind), { namespace: opts.namespace });
    const query = selectors(opts, {
      watch: true,
      allowWatchBookmarks: true,
      resourceVersion: opts.resourceVersion,
      timeoutSeconds: opts.timeoutSeconds,
    });
    const stream = await this.transport.stream({ method: "GET", path, query, signal: opts.signal });
    for await (const event of decodeWatchStream<T>(stream, opts.signal)) {
      if (event.type !== "ERROR" && event.type !== "BOOKMARK") {
        event.object = { ...event.object, apiVersion, kind };
      }
      yield event;
    }
  }

  async #apply<T>(obj: KubeObject, opts: ApplyOptions, subresource?: string): Promise<T> {
    const ref = refOf(obj);
    return await this.transport.request({
      method: "PATCH",
      path: pathOf(ref, subresource),
      query: {
        fieldManager: opts.fieldManager,
        force: opts.force ?? false,
        dryRun: dryRunOf(opts),
      },
      body: obj,
      contentType: APPLY_PATCH,
      signal: opts.signal,
    }) as T;
  }
}

/** The query value of a dry run; left out of the query otherwise. */
function dryRunOf(opts: { dryRun?: boolean }): "All" | undefined {
  return opts.dryRun ? "All" : undefined;
}

function pathOf(ref: ObjectRef, subresource?: string): string {
  const type = resourceFor(ref.apiVersion, ref.kind);
  return resourcePath(type, { namespace: ref.namespace, name: ref.name, subresource });
}

function selectors(
  opts: ListOptions,
  extra: Record<string, QueryValue>,
): Record<string, QueryValue> {
  return { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, ...extra };
}
