/**
 * The one narrow contract everything in kube/ depends on: send a request,
 * get parsed JSON back (or a byte stream, for watches). Transports are
 * strategies (kubeconfig, in-cluster, fakes in tests); `CountingTransport`
 * wraps any of them so tests and metrics can see how many writes happened.
 */

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type QueryValue = string | number | boolean | undefined;

export interface KubeRequest {
  method: Method;
  /** Absolute API path, e.g. `/apis/apps/v1/namespaces/ns/deployments/x`. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Defaults to `application/json` when there is a body. */
  contentType?: string;
  signal?: AbortSignal;
}

export interface Transport {
  /** Sends a request; resolves to the parsed JSON body. Throws KubeApiError on non-2xx. */
  request(req: KubeRequest): Promise<unknown>;
  /** Sends a request whose answer is a long stream (watch). */
  stream(req: KubeRequest): Promise<ReadableStream<Uint8Array>>;
  close(): void;
}

export const APPLY_PATCH = "application/apply-patch+yaml";
export const MERGE_PATCH = "application/merge-patch+json";

/**
 * What a request is, in the words Kubernetes uses for verbs. A dry run
 * (`dryRun=All`: the server validates and admits, persists nothing) has a
 * verb of its own, so it is never counted as a write.
 */
export type Verb =
  | "get"
  | "list"
  | "watch"
  | "create"
  | "update"
  | "patch"
  | "apply"
  | "delete"
  | "apply-dry-run"
  | "create-dry-run";

export const WRITE_VERBS: readonly Verb[] = ["create", "update", "patch", "apply", "delete"];
export const DRY_RUN_VERBS: readonly Verb[] = ["apply-dry-run", "create-dry-run"];

/** Classifies a request; a GET on a collection (no name segment) is a list. */
export function verbOf(req: KubeRequest, streaming = false): Verb {
  const dryRun = req.query?.dryRun !== undefined;
  switch (req.method) {
    case "GET":
      if (streaming || req.query?.watch === true || req.query?.watch === "true") return "watch";
      return isCollectionPath(req.path) ? "list" : "get";
    case "POST":
      return dryRun ? "create-dry-run" : "create";
    case "PUT":
      return "update";
    case "PATCH":
      if (req.contentType !== APPLY_PATCH) return "patch";
      return dryRun ? "apply-dry-run" : "apply";
    case "DELETE":
      return "delete";
  }
}

/** `/api/v1/namespaces/x/pods` is a collection, `/api/v1/namespaces/x` and `.../pods/p` are not. */
function isCollectionPath(path: string): boolean {
  const segs = path.split("/").filter((s) => s.length > 0);
  const rest = segs[0] === "api" ? segs.slice(2) : segs.slice(3);
  const afterNs = rest[0] === "namespaces" && rest.length > 2 ? rest.slice(2) : rest;
  return afterNs.length === 1;
}

/** Called after each request; `error` is what it failed with, if it failed. */
export type RequestObserver = (verb: Verb, req: KubeRequest, error?: unknown) => void;

/** Wraps a transport and counts requests by verb; `writes()` is what "no writes" tests check. */
export class CountingTransport implements Transport {
  readonly #inner: Transport;
  readonly #counts = new Map<Verb, number>();
  readonly #observers: RequestObserver[] = [];

  constructor(inner: Transport) {
    this.#inner = inner;
  }

  observe(fn: RequestObserver): void {
    this.#observers.push(fn);
  }

  async request(req: KubeRequest): Promise<unknown> {
    const verb = verbOf(req);
    this.#count(verb);
    try {
      const out = await this.#inner.request(req);
      this.#notify(verb, req);
      return out;
    } catch (err) {
      this.#notify(verb, req, err);
      throw err;
    }
  }

  async stream(req: KubeRequest): Promise<ReadableStream<Uint8Array>> {
    this.#count("watch");
    try {
      const out = await this.#inner.stream(req);
      this.#notify("watch", req);
      return out;
    } catch (err) {
      this.#notify("watch", req, err);
      throw err;
    }
  }

  close(): void {
    this.#inner.close();
  }

  counts(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  count(verb: Verb): number {
    return this.#counts.get(verb) ?? 0;
  }

  writes(): number {
    return WRITE_VERBS.reduce((sum, v) => sum + this.count(v), 0);
  }

  #count(verb: Verb): void {
    this.#counts.set(verb, (this.#counts.get(verb) ?? 0) + 1);
  }

  #notify(verb: Verb, req: KubeRequest, error?: unknown): void {
    for (const fn of this.#observers) fn(verb, req, error);
  }
}

/** Encodes the query string; undefined values are left out. */
export function encodeQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined) params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}
