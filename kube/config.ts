/**
 * Where the connection comes from, tried in client-go's order: an explicit
 * kubeconfig, $KUBECONFIG, the in-cluster service account, ~/.kube/config.
 * Every strategy that fails is reported, together, if none works.
 *
 * Permissions: --allow-read of the kubeconfig (and files it names) or of
 * /var/run/secrets/kubernetes.io/serviceaccount; the environment is passed in.
 */
import { KubeConfigError } from "./errors.ts";
import type { TokenSource } from "./http_transport.ts";
import { loadKubeconfig, type ReadTextFile, type ResolvedConfig } from "./kubeconfig.ts";

export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** The environment variables the client reads; the CLI fills this from Deno.env. */
export interface KubeEnv {
  KUBECONFIG?: string;
  HOME?: string;
  KUBERNETES_SERVICE_HOST?: string;
  KUBERNETES_SERVICE_PORT?: string;
}

export const KUBE_ENV_NAMES: readonly (keyof KubeEnv)[] = [
  "KUBECONFIG",
  "HOME",
  "KUBERNETES_SERVICE_HOST",
  "KUBERNETES_SERVICE_PORT",
];

export interface LoadOptions {
  kubeconfig?: string;
  context?: string;
  env: KubeEnv;
  readTextFile: ReadTextFile;
  /** Milliseconds clock for the token cache. */
  now?: () => number;
  serviceAccountDir?: string;
}

export async function loadConfig(opts: LoadOptions): Promise<ResolvedConfig> {
  const failures: string[] = [];
  const attempt = async (label: string, fn: () => Promise<ResolvedConfig>) => {
    try {
      return await fn();
    } catch (err) {
      failures.push(`${label}: ${describe(err)}`);
      return undefined;
    }
  };
  const fromFile = (path: string) => () => loadKubeconfig({ ...opts, path });
  const explicit = opts.kubeconfig ?? opts.env.KUBECONFIG?.split(":").find((p) => p.length > 0);
  if (explicit) {
    const found = await attempt(`kubeconfig ${explicit}`, fromFile(explicit));
    if (found) return found;
  } else {
    if (opts.env.KUBERNETES_SERVICE_HOST) {
      const found = await attempt("in-cluster", () => inClusterConfig(opts));
      if (found) return found;
    } else failures.push("in-cluster: KUBERNETES_SERVICE_HOST is not set");
    const home = opts.env.HOME ? `${opts.env.HOME}/.kube/config` : undefined;
    const found = home ? await attempt(`kubeconfig ${home}`, fromFile(home)) : undefined;
    if (found) return found;
    if (!home) failures.push("~/.kube/config: HOME is not set");
  }
  throw new KubeConfigError(`no usable Kubernetes configuration: ${failures.join("; ")}`);
}

function describe(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return (err instanceof Error ? err.message : String(err)) + cause;
}

/** The pod's service account: token (re-read as the kubelet rotates it), CA, namespace. */
export async function inClusterConfig(opts: LoadOptions): Promise<ResolvedConfig> {
  const host = opts.env.KUBERNETES_SERVICE_HOST;
  const port = opts.env.KUBERNETES_SERVICE_PORT ?? "443";
  if (!host) throw new KubeConfigError("KUBERNETES_SERVICE_HOST is not set");
  const dir = opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  const ca = await opts.readTextFile(`${dir}/ca.crt`);
  const namespace = (await opts.readTextFile(`${dir}/namespace`).catch(() => "")).trim();
  const token = rotatingToken(`${dir}/token`, opts.readTextFile, opts.now ?? Date.now);
  await token();
  const hostPart = host.includes(":") ? `[${host}]` : host;
  return {
    connection: { server: `https://${hostPart}:${port}`, caCerts: [ca], token },
    namespace: namespace || undefined,
    source: "in-cluster",
  };
}

/** A token file re-read at most once a minute, as client-go does; rotation is picked up. */
export function rotatingToken(
  path: string,
  readTextFile: ReadTextFile,
  now: () => number,
  maxAgeMs = 60_000,
): TokenSource {
  let cached: { token: string; at: number } | undefined;
  return async () => {
    if (cached && now() - cached.at < maxAgeMs) return cached.token;
    try {
      cached = { token: (await readTextFile(path)).trim(), at: now() };
    } catch (err) {
      throw new KubeConfigError(`reading service account token ${path} failed`, { cause: err });
    }
    return cached.token;
  };
}
