/**
 * The HTTP endpoints of the operator: /healthz (the process runs), /readyz
 * (informers synced and leader state known) and /metrics (Prometheus text).
 * Health and metrics may share a port or use two.
 *
 * Permissions: --allow-net (listening).
 */
import type { Logger } from "../kube/log.ts";

export interface Endpoints {
  ready(): { ok: boolean; detail: string };
  metrics(): string;
}

export interface ServeOptions {
  hostname: string;
  healthPort: number;
  /** 0 disables metrics; the same number as healthPort serves both on one port. */
  metricsPort: number;
  signal: AbortSignal;
  log: Logger;
}

function handler(endpoints: Endpoints, paths: Set<string>) {
  return (req: Request): Response => {
    const path = new URL(req.url).pathname;
    if (!paths.has(path)) return new Response("not found\n", { status: 404 });
    if (path === "/healthz") return new Response("ok\n");
    if (path === "/readyz") {
      const r = endpoints.ready();
      return new Response(`${r.detail}\n`, { status: r.ok ? 200 : 503 });
    }
    return new Response(endpoints.metrics(), {
      headers: { "Content-Type": "text/plain; version=0.0.4" },
    });
  };
}

/**
 * Starts the servers (throws at once if a port is taken); they stop when the
 * signal aborts. The promise resolves once they are shut down.
 */
export function serveEndpoints(endpoints: Endpoints, opts: ServeOptions): Promise<void> {
  const servers: Deno.HttpServer[] = [];
  const serve = (port: number, paths: string[]) => {
    const server = Deno.serve({
      hostname: opts.hostname,
      port,
      signal: opts.signal,
      onListen: ({ hostname, port }) =>
        opts.log.info("listening", { address: `${hostname}:${port}`, paths }),
    }, handler(endpoints, new Set(paths)));
    servers.push(server);
  };
  const health = ["/healthz", "/readyz"];
  if (opts.metricsPort === opts.healthPort) serve(opts.healthPort, [...health, "/metrics"]);
  else {
    if (opts.healthPort > 0) serve(opts.healthPort, health);
    if (opts.metricsPort > 0) serve(opts.metricsPort, ["/metrics"]);
  }
  return Promise.all(servers.map((s) => s.finished)).then(() => undefined);
}
