/**
 * `frappe-op status [-n NS | -A] [NAME]`: each FrappeDeployment's phase,
 * conditions and workers (mode, replicas/ready, min..max, queue depth and
 * running jobs), read from the Kubernetes API (status as the operator wrote
 * it, completed from the spec; QUEUED/RUNNING are the queue depths the
 * operator read). `--redis-depth` reads the queues live from Redis.
 *
 * Exit codes: 0 shown; 1 the named FrappeDeployment (or the CRD) does not
 * exist; 2 bad flags; 3 no Kubernetes configuration or the API server cannot
 * be reached; 4 the API server answered with an error (e.g. Forbidden).
 *
 * Permissions: --allow-net (API server; Redis with --redis-depth),
 * --allow-read (kubeconfig and the files it names, or the service account),
 * --allow-env (KUBECONFIG, HOME, KUBERNETES_SERVICE_HOST/PORT).
 */
import { API_VERSION, KIND } from "../apis/frappedeployment.ts";
import { KubeClient } from "../kube/client.ts";
import { KUBE_ENV_NAMES, loadConfig } from "../kube/config.ts";
import { errorChain, KubeApiError, KubeConfigError, KubeTransportError } from "../kube/errors.ts";
import { HttpTransport } from "../kube/http_transport.ts";
import type { KubeObject } from "../kube/types.ts";
import { redisOptions } from "../redis/connect.ts";
import { FlagError, flagsOrReport, parseFlags } from "./flags.ts";
import { type CliIo, denoIo, expandShortFlags } from "./io.ts";
import { formatViews } from "./status_format.ts";
import { type FdView, viewOf } from "./status_view.ts";

export const STATUS_EXIT = { ok: 0, notFound: 1, usage: 2, unreachable: 3, apiError: 4 } as const;

export const STATUS_USAGE = `frappe-op status [-n NS | -A] [NAME] [flags]: phase, conditions and
workers of FrappeDeployments

  -n, --namespace NS     namespace (default: the kubeconfig context's, else default)
  -A, --all-namespaces   every namespace (no NAME then)
  -o, --output FORMAT    table (default) or json
  --redis-depth          read QUEUED/RUNNING live from each bench's own queue Redis (LLEN
                         of rq:queue:<bench>:<q>, ZCARD of rq:wip:<bench>:<q>) instead of
                         the values the operator last wrote in status
  --redis URL            with --redis-depth and NAME: the Redis address of that bench (e.g.
                         a port-forward, redis://127.0.0.1:6379); the password still comes
                         from the Secret
  --kubeconfig PATH      kubeconfig (default: $KUBECONFIG, in-cluster, ~/.kube/config)
  --context NAME         kubeconfig context

Exit codes: 0 ok, 1 not found, 2 bad flags, 3 API server unreachable or no
configuration, 4 API server error (e.g. Forbidden).
`;

interface StatusArgs {
  name?: string;
  namespace?: string;
  all: boolean;
  output: "table" | "json";
  redisDepth: boolean;
  redisUrl?: string;
  kubeconfig?: string;
  context?: string;
}

function parseArgs(args: string[]): StatusArgs {
  const aliases = { n: "namespace", A: "all-namespaces", o: "output" };
  const f = parseFlags(expandShortFlags(args, aliases), {
    string: ["namespace", "output", "redis", "kubeconfig", "context"],
    boolean: ["all-namespaces", "redis-depth"],
  });
  if (f.positional.length > 1) throw new FlagError(`unexpected argument "${f.positional[1]}"`);
  const all = f.booleans.get("all-namespaces") ?? false;
  const name = f.positional[0];
  if (all && name) throw new FlagError("NAME cannot be combined with -A (names are per namespace)");
  if (all && f.values.has("namespace")) throw new FlagError("use -n NS or -A, not both");
  const output = f.values.get("output") ?? "table";
  if (output !== "table" && output !== "json") throw new FlagError("-o must be table or json");
  const redisUrl = f.values.get("redis");
  const redisDepth = f.booleans.get("redis-depth") ?? false;
  if (redisUrl && !redisDepth) throw new FlagError("--redis is used only with --redis-depth");
  if (redisUrl && !name) {
    throw new FlagError(
      "--redis URL is the Redis of one bench: name its FrappeDeployment " +
        "(without --redis, --redis-depth reads each bench's own Redis)",
    );
  }
  if (redisUrl) checkRedisUrl(redisUrl);
  return {
    name,
    namespace: f.values.get("namespace"),
    all,
    output,
    redisDepth,
    redisUrl,
    kubeconfig: f.values.get("kubeconfig"),
    context: f.values.get("context"),
  };
}

/** A --redis URL that could never connect is a bad flag, not a warning per bench. */
function checkRedisUrl(url: string): void {
  try {
    redisOptions({ url });
  } catch (err) {
    throw new FlagError(`--redis: ${(err as Error).message}`);
  }
}

class StatusError extends Error {
  constructor(readonly code: number, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Reads the FrappeDeployments asked for; failures become StatusErrors with their exit code. */
async function fetchDeployments(
  client: KubeClient,
  a: StatusArgs,
  namespace: string | undefined,
): Promise<KubeObject[]> {
  if (a.name) {
    const ref = { apiVersion: API_VERSION, kind: KIND, namespace, name: a.name };
    const found = await client.get(ref);
    if (!found) {
      throw new StatusError(STATUS_EXIT.notFound, `${KIND} ${namespace}/${a.name} not found`);
    }
    return [{ ...found, apiVersion: API_VERSION, kind: KIND }];
  }
  try {
    return (await client.list(API_VERSION, KIND, { namespace })).items;
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) {
      throw new StatusError(
        STATUS_EXIT.notFound,
        `the ${KIND} CRD is not installed (install: frappe-op manifests | kubectl apply ` +
          "--server-side -f -)",
        { cause: err },
      );
    }
    throw err;
  }
}

/** Maps a client failure to its exit code and a one-line message. */
function classify(err: unknown, server: string): StatusError {
  if (err instanceof StatusError) return err;
  if (err instanceof KubeConfigError) {
    return new StatusError(STATUS_EXIT.unreachable, err.message, { cause: err });
  }
  if (err instanceof KubeTransportError) {
    const msg = `cannot reach the Kubernetes API server at ${server}: ${errorChain(err)}`;
    return new StatusError(STATUS_EXIT.unreachable, msg, { cause: err });
  }
  if (err instanceof KubeApiError) {
    const msg = `the Kubernetes API server refused: ${err.reason}: ${err.serverMessage}`;
    return new StatusError(STATUS_EXIT.apiError, msg, { cause: err });
  }
  throw err;
}

async function collect(a: StatusArgs, io: CliIo): Promise<FdView[]> {
  const env = Object.fromEntries(KUBE_ENV_NAMES.map((k) => [k, io.env(k)]));
  let server = "(not configured)";
  try {
    const resolved = await loadConfig({
      kubeconfig: a.kubeconfig,
      context: a.context,
      env,
      readTextFile: (p) => io.readFile(p),
    });
    server = resolved.connection.server;
    const namespace = a.all ? undefined : a.namespace ?? resolved.namespace ?? "default";
    const transport = new HttpTransport(resolved.connection);
    try {
      const client = new KubeClient(transport);
      const items = await fetchDeployments(client, a, namespace);
      const views = items.map(viewOf)
        .sort((x, y) => `${x.namespace}/${x.name}`.localeCompare(`${y.namespace}/${y.name}`));
      if (a.redisDepth && views.length > 0) await redisDepths(views, client, a, io);
      if (views.length === 0) {
        io.err(
          `no ${KIND} found ` +
            (namespace
              ? `in namespace ${namespace} (use -A for all namespaces)`
              : "in any namespace"),
        );
      }
      return views;
    } finally {
      transport.close();
    }
  } catch (err) {
    throw classify(err, server);
  }
}

/** Fills queue depths from Redis (loaded only for --redis-depth). */
async function redisDepths(views: FdView[], client: KubeClient, a: StatusArgs, io: CliIo) {
  const { addRedisDepths } = await import("./status_redis.ts");
  await addRedisDepths(views, client, a.redisUrl, (line) => io.err(line));
}

/** The command with its I/O passed in (tests); `main` uses the process's. */
export async function status(args: string[], io: CliIo): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    io.out(STATUS_USAGE);
    return STATUS_EXIT.ok;
  }
  const a = flagsOrReport("status", io, () => parseArgs(args));
  if (a === undefined) return STATUS_EXIT.usage;
  try {
    const views = await collect(a, io);
    if (a.output === "json") io.out(JSON.stringify(views, null, 2) + "\n");
    else if (views.length > 0) io.out(formatViews(views, io.now()));
    return STATUS_EXIT.ok;
  } catch (err) {
    if (!(err instanceof StatusError)) throw err;
    io.err(`frappe-op status: ${err.message}`);
    return err.code;
  }
}

export function main(args: string[]): Promise<number> {
  return status(args, denoIo());
}
