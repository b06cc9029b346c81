/**
 * Builds exactly what `frappe.enqueue(method, queue=..., **kwargs)` writes to
 * Redis for Frappe v15 (rq 1.15.1) and v16 (rq 2.6.1): the `rq:job:<id>` hash
 * (the fields of that RQ version's `Job.to_dict` for a freshly enqueued job)
 * and the id pushed to the queue LIST.
 *
 * Read from frappe/utils/background_jobs.py: `enqueue` calls
 * `q.enqueue_call(execute_job, on_failure=Callback(truncate_failed_registry),
 * timeout=<queue timeout>, kwargs={site, user, method, event, job_name,
 * is_async, kwargs}, failure_ttl=7 days, result_ttl=600, job_id=<site><sep><uuid>)`,
 * `<sep>` being `::` in v15 and `||` in v16 (RQ 2 rejects `:` in ids).
 * Checked field for field against RQ's own `enqueue_call` in
 * tests/loadtest/rqjob_test.ts.
 */

import { deflateSync } from "node:zlib";
import { jobKey, queueKey, rqQueueName } from "../apis/naming.ts";
import { pickleDumps, type PyValue } from "./pickle.ts";
import { callString } from "./pyrepr.ts";

export type FrappeVersion = 15 | 16;
export const FRAPPE_VERSIONS: readonly FrappeVersion[] = [15, 16];

export const EXECUTE_JOB = "frappe.utils.background_jobs.execute_job";
export const TEST_JOB = "frappe.utils.background_jobs.test_job";
export const TRUNCATE_FAILED_REGISTRY = "frappe.utils.background_jobs.truncate_failed_registry";
/** frappe/utils/background_jobs.py RQ_RESULTS_TTL and RQ_JOB_FAILURE_TTL. */
export const RESULT_TTL = 600;
export const FAILURE_TTL = 7 * 24 * 60 * 60;
/** rq.job.Callback's default timeout (CALLBACK_TIMEOUT in rq/defaults.py). */
export const CALLBACK_TIMEOUT = 60;
/** Frappe's built-in queues and their timeouts (`get_queues_timeout`). */
export const QUEUE_TIMEOUTS: Readonly<Record<string, number>> = {
  short: 300,
  default: 300,
  long: 1500,
};
export const DEFAULT_QUEUE_TIMEOUT = 300;

export interface JobSpec {
  site: string;
  /** Dotted path of the function the worker calls with `kwargs`. */
  method: string;
  kwargs: Record<string, PyValue>;
  queue: string;
  /** Defaults to `method`, as `frappe.enqueue` does. */
  jobName?: string;
  user?: string;
  /** Defaults to the queue's timeout. */
  timeout?: number;
  /** The caller's `job_id` (before site namespacing); a random uuid by default. */
  jobId?: string;
}

export interface RqJob {
  id: string;
  key: string;
  queueKey: string;
  /** The hash fields in `Job.to_dict` order; `data` is bytes. */
  fields: [string, string | Uint8Array][];
}

/** `create_job_id` of the given Frappe version. */
export function frappeJobId(version: FrappeVersion, site: string, jobId: string): string {
  return version === 15 ? `${site}::${jobId}` : `${site}||${jobId.replaceAll(":", "|")}`;
}

/** RQ's `utcformat`: `%Y-%m-%dT%H:%M:%S.%fZ` (microseconds; JS has milliseconds). */
export function utcformat(at: Date): string {
  const iso = at.toISOString();
  return `${iso.slice(0, -1)}000Z`;
}

/** The kwargs `frappe.enqueue` gives `execute_job`, in its insertion order. */
export function queueArgs(spec: JobSpec): Record<string, PyValue> {
  return {
    site: spec.site,
    user: spec.user ?? "Administrator",
    method: spec.method,
    event: null,
    job_name: spec.jobName ?? spec.method,
    is_async: true,
    kwargs: spec.kwargs,
  };
}

/** zlib.compress(pickle.dumps((func, None, (), kwargs), HIGHEST_PROTOCOL)). */
export function jobData(args: Record<string, PyValue>): Uint8Array {
  return new Uint8Array(deflateSync(pickleDumps([EXECUTE_JOB, null, [], args])));
}

/** `data` and `description` depend only on the call's arguments. */
interface Encoded {
  data: Uint8Array;
  description: string;
}

function encode(args: Record<string, PyValue>): Encoded {
  return { data: jobData(args), description: callString(EXECUTE_JOB, args) };
}

/** A cache key for the arguments: Maps keep their entries, tuples stay distinct from dicts. */
function argsKey(args: Record<string, PyValue>): string {
  return JSON.stringify(
    args,
    (_k, v) =>
      v instanceof Map
        ? { __map: [...v] }
        : typeof v === "bigint"
        ? { __int: String(v) }
        : Array.isArray(v)
        ? { __tuple: v }
        : v,
  );
}

export function buildJob(
  version: FrappeVersion,
  benchId: string,
  spec: JobSpec,
  now: Date,
  encoded?: Encoded,
): RqJob {
  const id = frappeJobId(version, spec.site, spec.jobId ?? crypto.randomUUID());
  const args = queueArgs(spec);
  const { data, description } = encoded ?? encode(args);
  const at = utcformat(now);
  const timeout = spec.timeout ?? QUEUE_TIMEOUTS[spec.queue] ?? DEFAULT_QUEUE_TIMEOUT;
  const fields: [string, string | Uint8Array][] = [
    ["created_at", at],
    ["data", data],
    ["success_callback_name", ""],
    ["failure_callback_name", TRUNCATE_FAILED_REGISTRY],
    ["stopped_callback_name", ""],
    ["started_at", ""],
    ["ended_at", ""],
    ["last_heartbeat", ""],
    ["worker_name", ""],
    ...(version === 16 ? [["group_id", ""] as [string, string]] : []),
    ["origin", rqQueueName(benchId, spec.queue)],
    ["description", description],
    ["enqueued_at", at],
    ["timeout", String(timeout)],
    ["failure_callback_timeout", String(CALLBACK_TIMEOUT)],
    ["result_ttl", String(RESULT_TTL)],
    ["failure_ttl", String(FAILURE_TTL)],
    ["status", "queued"],
  ];
  return { id, key: jobKey(id), queueKey: queueKey(benchId, spec.queue), fields };
}

/** Many jobs at once; jobs with the same arguments share one pickled, compressed `data`. */
export function buildJobs(
  version: FrappeVersion,
  benchId: string,
  specs: JobSpec[],
  now: Date,
): RqJob[] {
  const cache = new Map<string, Encoded>();
  return specs.map((spec) => {
    const args = queueArgs(spec);
    const key = argsKey(args);
    let encoded = cache.get(key);
    if (!encoded) cache.set(key, encoded = encode(args));
    return buildJob(version, benchId, spec, now, encoded);
  });
}
