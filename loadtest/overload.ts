/**
 * Frappe v16's back-pressure on enqueue, and the load test's guard against
 * tripping it on a live bench.
 *
 * Before every enqueue, v16's `frappe.enqueue` calls `_check_queue_size`
 * (frappe/utils/background_jobs.py): once the queue's length (RQ's
 * `Queue.count`, the LLEN of `rq:queue:<bench_id>:<queue>`) is at least
 * `max_queued_jobs` (common_site_config; `MAX_QUEUED_JOBS` = 500 when unset)
 * + 50 x the number of sites on the bench (`_site_count`), it raises
 * `frappe.QueueOverloaded` ("Too many queued background jobs"). The load test
 * writes to Redis itself, so Frappe never refuses it; but the jobs it leaves
 * waiting would make the tenant's own enqueues (emails, reports, scheduled
 * jobs) fail until the workers drain the queue below the limit. v15 has no
 * such default limit.
 *
 * The operator never sets `max_queued_jobs`, so the guard assumes Frappe's
 * 500. It counts the worst case: every job it enqueues still waiting (the
 * workers may be at zero), whatever the rate.
 */

/** Frappe's `MAX_QUEUED_JOBS`: the limit's base when `max_queued_jobs` is unset. */
export const FRAPPE_MAX_QUEUED_JOBS = 500;
/** What each site of the bench adds to the limit (`_site_count() * 50`). */
export const FRAPPE_QUEUED_JOBS_PER_SITE = 50;

/** The queue length at which v16's `frappe.enqueue` raises QueueOverloaded. */
export function queueOverloadLimit(sites: number): number {
  return FRAPPE_MAX_QUEUED_JOBS + FRAPPE_QUEUED_JOBS_PER_SITE * sites;
}

export interface OverloadCheck {
  frappeVersion: number;
  /** The Redis list the jobs go to, for the message. */
  queueKey: string;
  /** Its length now (LLEN). */
  queued: number;
  /** Jobs this run would enqueue. */
  jobs: number;
  /** Sites on the bench: the FrappeDeployment's `spec.sites`, 1 without one (at least 1). */
  sites: number;
  /** `--allow-overload`. */
  allowed: boolean;
}

/**
 * Why the run must not start: the queue would reach v16's limit with this
 * run's jobs waiting in it. Undefined when it may (v15, no jobs, room left, or
 * `--allow-overload`).
 */
export function overloadRefusal(c: OverloadCheck): string | undefined {
  if (c.frappeVersion !== 16 || c.allowed || c.jobs === 0) return undefined;
  const sites = Math.max(1, c.sites);
  const limit = queueOverloadLimit(sites);
  const after = c.queued + c.jobs;
  if (after < limit) return undefined;
  const room = Math.max(0, limit - 1 - c.queued);
  const fewer = room > 0 ? `enqueue at most ${room} (--jobs ${room}), ` : "";
  return `Frappe v16's frappe.enqueue raises QueueOverloaded once a queue holds ` +
    `${limit} jobs (${FRAPPE_MAX_QUEUED_JOBS} + ${FRAPPE_QUEUED_JOBS_PER_SITE} x ${sites} ` +
    `site${sites === 1 ? "" : "s"}): ${c.queueKey} holds ${c.queued} and ${c.jobs} more ` +
    `would bring it to ${after}, and the bench's own background jobs would fail until its ` +
    `workers bring it below ${limit}; ${fewer}wait until the queue is shorter, or give ` +
    "--allow-overload to enqueue them anyway";
}
