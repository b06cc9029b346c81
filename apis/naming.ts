/**
 * The one place where names are made: child object names and every Redis key
 * a Frappe bench uses for its RQ queues. Render, status and loadtest all call
 * these functions, so a queue key can never disagree between the ScaledObject
 * that watches it and the loadtest that fills it.
 *
 * Frappe v14+ namespaces queue names with the bench id
 * (frappe/utils/background_jobs.py `generate_qname`), and RQ prefixes its own
 * key space, so pending jobs are the LIST `rq:queue:<bench_id>:<queue>`.
 */

/** RQ queue name as Frappe v14+ builds it. */
export function rqQueueName(benchId: string, queue: string): string {
  return `${benchId}:${queue}`;
}

/** Redis LIST holding the jobs waiting in a queue (what KEDA watches). */
export function queueKey(benchId: string, queue: string): string {
  return `rq:queue:${rqQueueName(benchId, queue)}`;
}

/** Sorted set of jobs being executed (RQ StartedJobRegistry). */
export function startedKey(benchId: string, queue: string): string {
  return `rq:wip:${rqQueueName(benchId, queue)}`;
}

/** Sorted set of finished jobs (RQ FinishedJobRegistry). */
export function finishedKey(benchId: string, queue: string): string {
  return `rq:finished:${rqQueueName(benchId, queue)}`;
}

/** Sorted set of failed jobs (RQ FailedJobRegistry). */
export function failedKey(benchId: string, queue: string): string {
  return `rq:failed:${rqQueueName(benchId, queue)}`;
}

/** Hash of one job. */
export function jobKey(jobId: string): string {
  return `rq:job:${jobId}`;
}

/** Set of all queue keys RQ knows about. */
export const QUEUES_SET_KEY = "rq:queues";

/**
 * Default bench id for a FrappeDeployment: `<namespace>.<name>`. A namespace
 * is a DNS label (no dots) so the split is unambiguous, and there is no `:`
 * that would confuse RQ's key space.
 */
export function defaultBenchId(namespace: string, name: string): string {
  return `${namespace}.${name}`;
}

/**
 * Suffixes of a FrappeDeployment's Deployments other than its workers
 * (`<fd>-<suffix>`). A custom worker `<x>` is the Deployment and ScaledObject
 * `<fd>-worker-<x>`, so a custom worker named one of these, or `worker-...`,
 * would take the name of a child of a FrappeDeployment named `<fd>-worker`.
 */
export const COMPONENT_DEPLOYMENTS = [
  "gunicorn",
  "nginx",
  "socketio",
  "scheduler",
  "redis-cache",
] as const;

export const DNS_LABEL_MAX = 63;
/** KEDA names its HPA `keda-hpa-<scaledobject>`; the HPA name must fit 63. */
export const SCALED_OBJECT_NAME_MAX = DNS_LABEL_MAX - "keda-hpa-".length;

/** 32-bit FNV-1a as 8 hex chars: stable, synchronous, good enough to disambiguate truncated names. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/**
 * Joins parts into a valid DNS label of at most `max` characters. When the
 * joined name is too long it is cut and suffixed with a hash of the full name,
 * so two long names that share a prefix still differ.
 */
export function childName(parts: string[], max = DNS_LABEL_MAX): string {
  const full = parts.filter((p) => p.length > 0).join("-").toLowerCase();
  if (full.length <= max) return full;
  const suffix = shortHash(full);
  const head = full.slice(0, max - suffix.length - 1).replace(/-+$/, "");
  return `${head}-${suffix}`;
}

/** Hash of one RQ worker (`rq:worker:<name>`); it expires when the worker stops heartbeating. */
export function workerKey(workerName: string): string {
  return `rq:worker:${workerName}`;
}
