/**
 * The real transport: Deno's fetch with a `Deno.HttpClient` carrying the CA
 * and, for kubeconfig users with certificates, the client certificate.
 *
 * Permissions: --allow-net (the API server), plus whatever the token source
 * reads (in-cluster: the service account token file).
 */
import { apiErrorFrom, KubeTransportError } from "./errors.ts";
import { encodeQuery, type KubeRequest, type Transport } from "./transport.ts";

/** Returns the bearer token to send; re-called per request so rotation is picked up. */
export type TokenSource = () => Promise<string | undefined>;

export interface ConnectionConfig {
  /** `https://host:port` */
  server: string;
  /** Extra trusted roots, PEM. */
  caCerts?: string[];
  /** Client certificate and key, PEM. */
  clientCert?: { cert: string; key: string };
  token?: TokenSource;
  /** Per-request timeout for non-streaming requests. Default 30 s. */
  timeoutMs?: number;
  userAgent?: string;
}

/**
 * Requests and watches use separate clients. Over one HTTP/2 connection the
 * API server allows 100 concurrent streams; long-lived watches would take
 * every slot and starve ordinary requests (seen with 110 watches). Watches
 * therefore go over HTTP/1.1, one pooled connection each.
 */
export class HttpTransport implements Transport {
  readonly #config: ConnectionConfig;
  readonly #client: Deno.HttpClient;
  readonly #streamClient: Deno.HttpClient;
  readonly #base: string;

  constructor(config: ConnectionConfig) {
    this.#config = config;
    this.#base = config.server.replace(/\/+$/, "");
    const tls = { caCerts: config.caCerts, ...(config.clientCert ?? {}) };
    this.#client = Deno.createHttpClient(tls);
    this.#streamClient = Deno.createHttpClient({ ...tls, http1: true, http2: false });
  }

  async request(req: KubeRequest): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.#config.timeoutMs ?? 30_000);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const res = await this.#fetch(req, signal, this.#client);
    const text = await res.text().catch((err) => {
      throw new KubeTransportError(`${req.method} ${req.path}: reading the answer failed`, {
        cause: err,
      });
    });
    if (!res.ok) throw apiErrorFrom(res.status, text, req.method, req.path);
    return text.length > 0 ? JSON.parse(text) : undefined;
  }

  async stream(req: KubeRequest): Promise<ReadableStream<Uint8Array>> {
    const res = await this.#fetch(req, req.signal, this.#streamClient);
    if (!res.ok) {
      const text = await res.text().catch(() => "");
      throw apiErrorFrom(res.status, text, req.method, req.path);
    }
    if (!res.body) throw new KubeTransportError(`${req.method} ${req.path}: no body to stream`);
    return res.body;
  }

  close(): void {
    this.#client.close();
    this.#streamClient.close();
  }

  async #fetch(
    req: KubeRequest,
    signal: AbortSignal | undefined,
    client: Deno.HttpClient,
  ): Promise<Response> {
    const headers = new Headers({
      "Accept": "application/json",
      "User-Agent": this.#config.userAgent ?? "frappe-op",
    });
    const token = this.#config.token ? await this.#config.token() : undefined;
    if (token) headers.set("Authorization", `Bearer ${token}`);
    let body: string | undefined;
    if (req.body !== undefined) {
      headers.set("Content-Type", req.contentType ?? "application/json");
      body = JSON.stringify(req.body);
    }
    const url = this.#base + req.path + encodeQuery(req.query);
    try {
      return await fetch(url, { method: req.method, headers, body, signal, client });
    } catch (err) {
      throw new KubeTransportError(`${req.method} ${req.path}: ${describe(err)}`, { cause: err });
    }
  }
}

function describe(err: unknown): string {
  if (err instanceof DOMException && err.name === "TimeoutError") return "request timed out";
  if (err instanceof DOMException && err.name === "AbortError") return "request aborted";
  return err instanceof Error ? err.message : String(err);
}
