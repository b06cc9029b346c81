/**
 * `--scenario` presets: which queue, how many jobs of which length, and how
 * they are named. Every job runs Frappe's own harmless
 * `frappe.utils.background_jobs.test_job(s)` (it sleeps `s` seconds), so a
 * load test never touches a site's data; flags given explicitly override a
 * preset's numbers.
 */

import { type JobSpec, TEST_JOB } from "./rqjob.ts";

export interface Scenario {
  name: string;
  description: string;
  queue: string;
  jobs: number;
  jobSeconds: number;
  /** Job name shown in RQ / Frappe's RQ Job list; defaults to the method. */
  jobName?: string;
  /** The `job_id` Frappe's scheduler would pass (before site namespacing). */
  jobIdPrefix?: string;
  /** Load goes to the first `--tenant`. */
  multiTenant?: boolean;
  /** Implied expectation: these workers never leave their minimum (see Expectations). */
  stayAtMinimum?: "all" | "others";
}

/** A scheduled job type Frappe runs daily on the long queue ("Daily Long"). */
export const DAILY_REPORT_JOB_TYPE = "auto_email_report.send_daily";

export const SCENARIOS: Record<string, Scenario> = {
  idle: {
    name: "idle",
    description: "no jobs: every worker must stay at its minimum for --timeout",
    queue: "short",
    jobs: 0,
    jobSeconds: 0,
    stayAtMinimum: "all",
  },
  export: {
    name: "export",
    description: "one long job (a big data export) on the long queue",
    queue: "long",
    jobs: 1,
    jobSeconds: 120,
  },
  "bulk-email": {
    name: "bulk-email",
    description: "50 short jobs (a newsletter's sends) on the short queue",
    queue: "short",
    jobs: 50,
    jobSeconds: 2,
  },
  "daily-report": {
    name: "daily-report",
    description: "one long job as the scheduler enqueues a Daily Long job type",
    queue: "long",
    jobs: 1,
    jobSeconds: 60,
    jobName: "frappe.email.doctype.auto_email_report.auto_email_report.send_daily",
    jobIdPrefix: `scheduled_job::${DAILY_REPORT_JOB_TYPE}`,
  },
  rapid: {
    name: "rapid",
    description: "100 jobs at once on the short queue",
    queue: "short",
    jobs: 100,
    jobSeconds: 1,
  },
  "multi-tenant": {
    name: "multi-tenant",
    description: "bulk load on the first --tenant; the other tenants must stay at minimum",
    queue: "short",
    jobs: 50,
    jobSeconds: 2,
    multiTenant: true,
    stayAtMinimum: "others",
  },
};

export interface JobPlan {
  site: string;
  queue: string;
  jobs: number;
  jobSeconds: number;
  jobName?: string;
  jobIdPrefix?: string;
}

/** The JobSpecs of a plan: test_job(s=jobSeconds), unique ids. */
export function jobSpecs(plan: JobPlan): JobSpec[] {
  return Array.from({ length: plan.jobs }, () => ({
    site: plan.site,
    method: TEST_JOB,
    kwargs: { s: plan.jobSeconds },
    queue: plan.queue,
    jobName: plan.jobName,
    jobId: plan.jobIdPrefix ? `${plan.jobIdPrefix}::${crypto.randomUUID()}` : undefined,
  }));
}
