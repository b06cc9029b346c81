/**
 * `frappe-op run`: the operator process. Reads its flags and the environment
 * (KUBECONFIG, HOME, KUBERNETES_SERVICE_HOST/PORT, POD_NAME, POD_NAMESPACE,
 * HOSTNAME), connects, starts the manager and the health/metrics servers,
 * and shuts down gracefully on SIGTERM/SIGINT (finish reconciles, release
 * the lease, stop the informers).
 *
 * Permissions (bin/permissions): --allow-net (API server, listening, each tenant's queue Redis),
 * --allow-read (kubeconfig and the files it names, or the service account),
 * --allow-env=<the variables above>.
 */
import { KubeClient } from "../kube/client.ts";
import { realClock } from "../kube/clock.ts";
import { KUBE_ENV_NAMES, type KubeEnv, loadConfig } from "../kube/config.ts";
import { errorChain } from "../kube/errors.ts";
import { HttpTransport } from "../kube/http_transport.ts";
import { createLogger, type Logger } from "../kube/log.ts";
import { CountingTransport } from "../kube/transport.ts";
import { serveEndpoints } from "../controllers/health.ts";
import { Manager } from "../controllers/manager.ts";
import { FlagError } from "./flags.ts";
import {
  parseRunConfig,
  RUN_ENV_NAMES,
  RUN_USAGE,
  type RunConfig,
  type RunEnv,
} from "./run_config.ts";

export async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(RUN_USAGE);
    return 0;
  }
  let config: RunConfig;
  try {
    config = parseRunConfig(args, readEnv(RUN_ENV_NAMES) as RunEnv, randomSuffix);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    console.error(`frappe-op run: ${err.message}\n\n${RUN_USAGE}`);
    return 2;
  }
  const log = createLogger({
    level: config.logLevel,
    format: config.logFormat,
    sink: (line) => console.error(line),
  });
  try {
    return await operate(config, log);
  } catch (err) {
    log.error("operator failed", { error: errorChain(err) });
    return 1;
  }
}

async function operate(config: RunConfig, log: Logger): Promise<number> {
  const resolved = await loadConfig({
    kubeconfig: config.kubeconfig,
    context: config.context,
    env: readEnv(KUBE_ENV_NAMES) as KubeEnv,
    readTextFile: (p) => Deno.readTextFile(p),
  });
  log.info("connecting", { server: resolved.connection.server, source: resolved.source });
  const transport = new CountingTransport(new HttpTransport(resolved.connection));
  const manager = buildManager(config, transport, resolved.namespace, log);
  const stop = new AbortController();
  const removeSignals = onShutdownSignal(() => {
    log.info("shutting down");
    stop.abort();
  });
  const servers = serveEndpoints(
    { ready: () => manager.ready(), metrics: () => manager.registry.render() },
    {
      hostname: config.bindAddress,
      healthPort: config.healthPort,
      metricsPort: config.metricsPort,
      signal: stop.signal,
      log,
    },
  );
  try {
    const end = await manager.run(stop.signal);
    return end === "lost" ? 1 : 0;
  } finally {
    stop.abort();
    await servers;
    transport.close();
    removeSignals();
  }
}

function buildManager(
  config: RunConfig,
  transport: CountingTransport,
  contextNamespace: string | undefined,
  log: Logger,
): Manager {
  const leNamespace = config.leaderElectionNamespace ?? contextNamespace ?? "default";
  return new Manager({
    client: new KubeClient(transport),
    transport,
    clock: realClock,
    log,
    namespaces: config.namespaces,
    concurrency: config.concurrency,
    resyncMs: config.resyncMs,
    kedaRecheckMs: config.kedaRecheckMs,
    reconcile: {
      autoscalingDefault: config.autoscalingDefault,
      operatorNamespace: config.operatorNamespace,
      kedaNamespace: config.kedaNamespace,
      progressRequeueMs: config.progressRequeueMs,
      reapplyIntervalMs: config.reapplyIntervalMs,
    },
    queues: {
      concurrency: config.queueReadConcurrency,
      pollIntervalMs: config.queuePollIntervalMs,
    },
    leaderElection: config.leaderElect
      ? { namespace: leNamespace, name: config.leaderElectionId, identity: config.identity }
      : undefined,
  });
}

/** SIGTERM (Kubernetes) and SIGINT (a terminal) both stop gracefully; returns the undo. */
function onShutdownSignal(fn: () => void): () => void {
  const signals: Deno.Signal[] = ["SIGTERM", "SIGINT"];
  for (const s of signals) Deno.addSignalListener(s, fn);
  return () => signals.forEach((s) => Deno.removeSignalListener(s, fn));
}

function readEnv(names: readonly string[]): Record<string, string | undefined> {
  return Object.fromEntries(names.map((n) => [n, Deno.env.get(n)]));
}

function randomSuffix(): string {
  return crypto.randomUUID().slice(0, 8);
}
