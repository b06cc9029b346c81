/**
 * How a worker or redis container becomes a real process: resolve what the
 * pod names (Secrets, the bench config, Services), then build argv and env.
 * Throws with a message fit for a container's `waiting` reason when something
 * it needs is not there yet (the agent retries, as a kubelet would).
 */
import { argvOf, type ContainerSpec } from "./classify.ts";
import type { AgentApi } from "./api.ts";
import {
  CONFIG_KEY,
  configSecretName,
  frappeVersionFromImage,
  INSTANCE_LABEL,
  parseCommonSiteConfig,
  rqVersionFor,
  rqWorkerArgv,
} from "./bench.ts";
import { expandVars, resolveEnv } from "./env.ts";
import { redisPort, redisServerArgs } from "./redis_args.ts";

export interface LaunchPaths {
  stateDir: string;
  venvBase: string;
  standinDir: string;
}

export interface Launch {
  argv: string[];
  env: Record<string, string>;
  logFile: string;
  /** Set for redis: the loopback address it listens on. */
  ip?: string;
}

// deno-lint-ignore no-explicit-any
type Pod = any;

function baseEnv(): Record<string, string> {
  return {
    PATH: Deno.env.get("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: Deno.env.get("HOME") ?? "/root",
    LANG: "C.UTF-8",
  };
}

function podDir(paths: LaunchPaths, pod: Pod): string {
  return `${paths.stateDir}/pods/${pod.metadata.namespace}/${pod.metadata.name}`;
}

async function frappeVersion(api: AgentApi, pod: Pod, instance: string, image?: string) {
  const ns = pod.metadata.namespace;
  const fd = await api.get(
    `/apis/frappe-op.dev/v1alpha1/namespaces/${ns}/frappedeployments/${instance}`,
  )
    .catch(() => undefined);
  const v = fd?.spec?.frappeVersion;
  return typeof v === "string" ? v : frappeVersionFromImage(image) ?? "15";
}

export async function workerLaunch(
  api: AgentApi,
  paths: LaunchPaths,
  pod: Pod,
  container: ContainerSpec,
  queues: string[],
  restartCount: number,
): Promise<Launch> {
  const ns = pod.metadata.namespace;
  const instance = pod.metadata.labels?.[INSTANCE_LABEL];
  if (!instance) throw new Error(`pod has no ${INSTANCE_LABEL} label: which bench?`);
  const secret = configSecretName(instance);
  const json = await api.lookup("Secret", ns, secret, CONFIG_KEY);
  if (json === undefined) throw new Error(`Secret ${secret} (key ${CONFIG_KEY}) not found`);
  const config = parseCommonSiteConfig(json);
  const version = await frappeVersion(api, pod, instance, container.image);
  const dir = podDir(paths, pod);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.mkdir(`${paths.stateDir}/standin`, { recursive: true });
  const name = restartCount === 0 ? pod.metadata.name : `${pod.metadata.name}.${restartCount}`;
  return {
    argv: rqWorkerArgv({
      venvDir: `${paths.venvBase}/rq-${rqVersionFor(version)}`,
      standinDir: paths.standinDir,
      workerName: name,
      config,
      queues,
    }),
    env: {
      ...baseEnv(),
      PYTHONPATH: paths.standinDir,
      PYTHONUNBUFFERED: "1",
      FRAPPE_STANDIN_LOG: `${paths.stateDir}/standin/${ns}.jsonl`,
    },
    logFile: `${dir}/${container.name}.log`,
  };
}

export async function redisLaunch(
  api: AgentApi,
  paths: LaunchPaths,
  pod: Pod,
  container: ContainerSpec,
  ip: string,
): Promise<Launch> {
  const ns = pod.metadata.namespace;
  const env = await resolveEnv(container.env, (kind, name, key) => api.lookup(kind, ns, name, key));
  const argv = argvOf(container).map((a) => expandVars(a, env));
  const dir = podDir(paths, pod);
  await Deno.mkdir(`${dir}/data`, { recursive: true });
  return {
    argv: [
      "redis-server",
      ...redisServerArgs(argv, { bind: ip, port: redisPort(container), dataDir: `${dir}/data` }),
    ],
    env: baseEnv(),
    logFile: `${dir}/${container.name}.log`,
    ip,
  };
}

/** Services in the pod's namespace whose selector matches the pod's labels. */
export async function servicesOf(api: AgentApi, pod: Pod): Promise<string[]> {
  const labels: Record<string, string> = pod.metadata.labels ?? {};
  const { items } = await api.client.list("v1", "Service", { namespace: pod.metadata.namespace });
  return items.filter((s) => {
    const sel: Record<string, string> = s.spec?.selector ?? {};
    const keys = Object.keys(sel);
    return keys.length > 0 && keys.every((k) => labels[k] === sel[k]);
  }).map((s) => s.metadata.name);
}
