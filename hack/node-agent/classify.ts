/**
 * What the node agent does for a pod, decided from its spec alone (pure):
 *
 * - `worker`: the first container runs `bench worker [--queue a,b]` -> a real
 *   RQ worker process on the queues `<bench_id>:<q>`.
 * - `redis`: the first container's image or command is redis -> a real
 *   redis-server on a loopback address of its own.
 * - `job`: a pod of a Job (configure, new-site, migrate) -> exits 0 after a moment.
 * - `idle`: everything else (gunicorn, nginx, socketio, mariadb, scheduler)
 *   -> reported Running and Ready, with no process behind it.
 */

export interface ContainerSpec {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
  };
}

export type PodAction =
  | { kind: "worker"; container: string; queues: string[] }
  | { kind: "redis"; container: string; argv: string[] }
  | { kind: "job" }
  | { kind: "idle" };

/** Frappe's `bench worker` with no --queue serves the three built-in queues. */
export const DEFAULT_WORKER_QUEUES = ["short", "default", "long"];

// deno-lint-ignore no-explicit-any
type Pod = any;

/** The container's argv as the runtime would exec it (command, then args). */
export function argvOf(c: ContainerSpec): string[] {
  return [...(c.command ?? []), ...(c.args ?? [])];
}

/** Queues of `bench worker --queue a,b` (or `--queue=a,b`); undefined when argv is not a worker. */
export function parseWorkerQueues(argv: string[]): string[] | undefined {
  const i = argv.findIndex((a, idx) => /(^|\/)bench$/.test(a) && argv[idx + 1] === "worker");
  if (i < 0) return undefined;
  const rest = argv.slice(i + 2);
  for (let j = 0; j < rest.length; j++) {
    const a = rest[j];
    let value: string | undefined;
    if (a === "--queue" || a === "-q") value = rest[j + 1];
    else if (a.startsWith("--queue=")) value = a.slice("--queue=".length);
    if (value !== undefined) {
      const queues = value.split(",").map((q) => q.trim()).filter((q) => q.length > 0);
      return queues.length > 0 ? queues : DEFAULT_WORKER_QUEUES;
    }
  }
  return DEFAULT_WORKER_QUEUES;
}

function isRedis(c: ContainerSpec): boolean {
  const argv = argvOf(c);
  if (argv.length > 0 && /(^|\/)redis-server$/.test(argv[0])) return true;
  const repo = (c.image ?? "").split("@")[0].replace(/:[^/:]*$/, "");
  return /(^|\/)redis[^/]*$/.test(repo);
}

function isJobPod(pod: Pod): boolean {
  const owners: { kind?: string }[] = pod.metadata?.ownerReferences ?? [];
  if (owners.some((o) => o.kind === "Job")) return true;
  const labels: Record<string, string> = pod.metadata?.labels ?? {};
  return "batch.kubernetes.io/job-name" in labels || "job-name" in labels;
}

export function classifyPod(pod: Pod): PodAction {
  const main: ContainerSpec | undefined = pod.spec?.containers?.[0];
  if (!main) return { kind: "idle" };
  if (isJobPod(pod)) return { kind: "job" };
  const queues = parseWorkerQueues(argvOf(main));
  if (queues) return { kind: "worker", container: main.name, queues };
  if (isRedis(main)) {
    const argv = argvOf(main);
    return { kind: "redis", container: main.name, argv };
  }
  return { kind: "idle" };
}
