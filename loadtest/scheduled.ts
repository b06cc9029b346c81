/**
 * What Frappe's scheduler enqueues for a due Scheduled Job Type, read from
 * frappe/core/doctype/scheduled_job_type/scheduled_job_type.py
 * (`ScheduledJobType.enqueue`, called for each due job type by
 * frappe/utils/scheduler.py `enqueue_events`):
 *
 *   frappe.enqueue(RUN_SCHEDULED_JOB, queue=<"long" for "... Long", else "default">,
 *                  job_type=<method>, job_id=<rq_job_id>)          # v15
 *   frappe.enqueue(..., job_type=<method>, job_id=<rq_job_id>,
 *                  scheduled_job_type=<name>)                        # v16
 *
 * `rq_job_id` is `scheduled_job::<method>` in v15 and `scheduled_job||<name>`
 * in v16 (a job type's name there is a random hash, so one method can have
 * several job types); `frappe.enqueue` then namespaces it by site like any
 * job id. The envelope is the rest of `frappe.enqueue`'s (rqjob.ts).
 *
 * Read on version-15 and on develop after the v16 changes (job types named by
 * hash, PR frappe/frappe#25007; `||` ids for RQ 2). The job type we name exists
 * on no bench, so a real worker runs Frappe's own `run_scheduled_job`, which
 * fails to find it, prints the traceback and returns: the job ends finished
 * having done nothing (docs/loadtest.md).
 */

import type { FrappeVersion, JobSpec } from "./rqjob.ts";

export const RUN_SCHEDULED_JOB =
  "frappe.core.doctype.scheduled_job_type.scheduled_job_type.run_scheduled_job";

/** A Scheduled Job Type method (and v16 name) no app defines, unique per job. */
export function absentJobType(): string {
  return `frappe_op_loadtest.daily_report.${crypto.randomUUID()}`;
}

/** The JobSpec of the scheduler's enqueue of job type `jobType` (its method and name). */
export function scheduledJobSpec(
  version: FrappeVersion,
  site: string,
  queue: string,
  jobType: string,
): JobSpec {
  return {
    site,
    queue,
    method: RUN_SCHEDULED_JOB,
    kwargs: version === 15
      ? { job_type: jobType }
      : { job_type: jobType, scheduled_job_type: jobType },
    jobId: version === 15 ? `scheduled_job::${jobType}` : `scheduled_job||${jobType}`,
  };
}
