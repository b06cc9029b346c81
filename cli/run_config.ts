/** Flags of `frappe-op run`, parsed into a typed config (pure: env is passed in). */
import { isLevel, type Level, type LogFormat } from "../kube/log.ts";
import { FlagError, parseDuration, parseFlags, parseInteger } from "./flags.ts";

export interface RunConfig {
  kubeconfig?: string;
  context?: string;
  namespaces?: string[];
  concurrency: number;
  resyncMs: number;
  kedaRecheckMs: number;
  progressRequeueMs: number;
  /** 0: never. */
  reapplyIntervalMs: number;
  leaderElect: boolean;
  leaderElectionNamespace?: string;
  leaderElectionId: string;
  identity: string;
  bindAddress: string;
  healthPort: number;
  metricsPort: number;
  logLevel: Level;
  logFormat: LogFormat;
  autoscalingDefault: boolean;
  operatorNamespace?: string;
  kedaNamespace: string;
  queueReadConcurrency: number;
  queuePollIntervalMs: number;
}

/** Environment variables `run` reads (besides the client's, kube/config.ts). */
export interface RunEnv {
  POD_NAME?: string;
  POD_NAMESPACE?: string;
  HOSTNAME?: string;
}

export const RUN_ENV_NAMES: readonly (keyof RunEnv)[] = ["POD_NAME", "POD_NAMESPACE", "HOSTNAME"];

export const RUN_USAGE = `frappe-op run [flags]: run the operator

  --kubeconfig PATH            kubeconfig (default: $KUBECONFIG, in-cluster, ~/.kube/config)
  --context NAME               kubeconfig context (default: current-context)
  --namespaces a,b             watch only these namespaces (default: all)
  --concurrency N              parallel reconciles (default 2)
  --resync DURATION            re-reconcile everything this often (default 5m, >= 1s)
  --keda-recheck DURATION      look for KEDA's CRDs this often (default 1m, >= 1s)
  --progress-requeue DURATION  re-check a waiting rollout this often (default 10s, >= 100ms)
  --reapply-interval DURATION  apply every child of a FrappeDeployment again this often, undoing
                               hand edits of what frappe-op sets (default 1h, >= 1m; 0: never)
  --leader-elect               elect a leader through a Lease (run this with 2+ replicas)
  --leader-election-namespace  namespace of the Lease (default: $POD_NAMESPACE or the
                               kubeconfig/service account namespace)
  --leader-election-id NAME    name of the Lease (default frappe-op)
  --bind-address ADDR          address of the health and metrics servers (default 0.0.0.0)
  --health-port N              /healthz and /readyz (default 8081; 0 disables)
  --metrics-port N             /metrics (default 8080; 0 disables; same as health: one server)
  --log-level LEVEL            debug, info, warn, error (default info)
  --log-format FORMAT          json or text (default json)
  --autoscaling-default        new FrappeDeployments autoscale workers unless they say otherwise
  --keda-namespace NS          namespace of KEDA's operator (default keda)
  --queue-read-concurrency N   queue Redis reads at the same time, for status (default 4)
  --queue-poll-interval DUR    read an idle bench's queue depths this often (default 30s, >= 5s)
`;

const RUN_FLAGS = {
  string: [
    "kubeconfig",
    "context",
    "namespaces",
    "concurrency",
    "resync",
    "keda-recheck",
    "progress-requeue",
    "reapply-interval",
    "leader-election-namespace",
    "leader-election-id",
    "bind-address",
    "health-port",
    "metrics-port",
    "log-level",
    "log-format",
    "keda-namespace",
    "queue-read-concurrency",
    "queue-poll-interval",
  ],
  boolean: ["leader-elect", "autoscaling-default"],
};

export function parseRunConfig(args: string[], env: RunEnv, random: () => string): RunConfig {
  const f = parseFlags(args, RUN_FLAGS);
  if (f.positional.length > 0) throw new FlagError(`unexpected argument ${f.positional[0]}`);
  const v = (name: string) => f.values.get(name);
  // Each drives a loop (resync, KEDA polling, requeue): 0 would spin against the API server.
  const duration = (name: string, dflt: string, minMs = 1000) =>
    parseDuration(name, v(name) ?? dflt, minMs);
  const port = (name: string, dflt: number) => {
    const text = v(name);
    return text === undefined ? dflt : parseInteger(name, text, 0, 65535);
  };
  const level = v("log-level") ?? "info";
  if (!isLevel(level)) throw new FlagError(`--log-level must be debug, info, warn or error`);
  const format = v("log-format") ?? "json";
  if (format !== "json" && format !== "text") {
    throw new FlagError(`--log-format must be json or text`);
  }
  const namespaces = v("namespaces")?.split(",").map((s) => s.trim()).filter(Boolean);
  return {
    kubeconfig: v("kubeconfig"),
    context: v("context"),
    namespaces: namespaces && namespaces.length > 0 ? namespaces : undefined,
    concurrency: parseInteger("concurrency", v("concurrency") ?? "2", 1),
    resyncMs: duration("resync", "5m"),
    kedaRecheckMs: duration("keda-recheck", "1m"),
    progressRequeueMs: duration("progress-requeue", "10s", 100),
    reapplyIntervalMs: reapplyInterval(v("reapply-interval") ?? "1h"),
    leaderElect: f.booleans.get("leader-elect") ?? false,
    leaderElectionNamespace: v("leader-election-namespace") ?? env.POD_NAMESPACE,
    leaderElectionId: v("leader-election-id") ?? "frappe-op",
    identity: env.POD_NAME ?? `${env.HOSTNAME ?? "frappe-op"}-${random()}`,
    bindAddress: v("bind-address") ?? "0.0.0.0",
    healthPort: port("health-port", 8081),
    metricsPort: port("metrics-port", 8080),
    logLevel: level,
    logFormat: format,
    autoscalingDefault: f.booleans.get("autoscaling-default") ?? false,
    operatorNamespace: env.POD_NAMESPACE,
    kedaNamespace: v("keda-namespace") ?? "keda",
    queueReadConcurrency: parseInteger(
      "queue-read-concurrency",
      v("queue-read-concurrency") ?? "4",
      1,
    ),
    queuePollIntervalMs: duration("queue-poll-interval", "30s", 5000),
  };
}

/** 0 turns the drift re-apply off; otherwise at least a minute (each one applies every child). */
function reapplyInterval(text: string): number {
  const ms = parseDuration("reapply-interval", text);
  if (ms !== 0 && ms < REAPPLY_MIN_MS) {
    throw new FlagError(`--reapply-interval must be 0 (never) or at least 1m, got "${text}"`);
  }
  return ms;
}

const REAPPLY_MIN_MS = 60_000;
