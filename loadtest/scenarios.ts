/**
 * `--scenario` presets: which queue, how many jobs of which length, and what
 * each job calls. Every job but daily-report's runs Frappe's own harmless
 * `frappe.utils.background_jobs.test_job(s)` (it sleeps `s` seconds);
 * daily-report's is what the scheduler enqueues, for a job type no bench has
 * (scheduled.ts). A load test never touches a site's data; flags given
 * explicitly override a preset's numbers.
 */

import { type FrappeVersion, type JobSpec, TEST_JOB } from "./rqjob.ts";
import { absentJobType, scheduledJobSpec } from "./scheduled.ts";

/** What a job calls: `test_job(s=jobSeconds)`, or the scheduler's `run_scheduled_job`. */
export type JobCall = "test_job" | "scheduled_job";

export interface Scenario {
  name: string;
  description: string;
  queue: string;
  jobs: number;
  /** Seconds each `test_job` sleeps (a scheduled job takes none). */
  jobSeconds: number;
  /** Defaults to test_job. */
  call?: JobCall;
  /** Load goes to the first `--tenant`. */
  multiTenant?: boolean;
  /** Implied expectation: these workers never leave their minimum (see Expectations). */
  stayAtMinimum?: "all" | "others";
}

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
    description: "what the scheduler enqueues for a due Daily Long job type, on the long queue",
    queue: "long",
    jobs: 1,
    jobSeconds: 0,
    call: "scheduled_job",
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
  version: FrappeVersion;
  queue: string;
  jobs: number;
  jobSeconds: number;
  call?: JobCall;
}

/** The JobSpecs of a plan, each with its own id. */
export function jobSpecs(plan: JobPlan): JobSpec[] {
  return Array.from(
    { length: plan.jobs },
    () =>
      plan.call === "scheduled_job"
        ? scheduledJobSpec(plan.version, plan.site, plan.queue, absentJobType())
        : { site: plan.site, method: TEST_JOB, kwargs: { s: plan.jobSeconds }, queue: plan.queue },
  );
}
