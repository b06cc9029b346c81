/**
 * The job hash we write equals, field for field, the one RQ's own
 * `enqueue_call` writes (into another db) for the same `frappe.enqueue` call,
 * for Frappe v15 (rq 1.15.1) and v16 (rq 2.6.1): test_job on short and long,
 * and daily-report's scheduler call. RQ's Job.fetch and Queue.count read ours,
 * and we register the queue in `rq:queues` as RQ does.
 * Needs redis-server and the venvs of hack/python-env.sh (-A).
 */
import assert from "node:assert/strict";
import { connectRedis } from "../../loadtest/redis.ts";
import { enqueueJobs } from "../../loadtest/enqueue.ts";
import { buildJob, type FrappeVersion, type JobSpec } from "../../loadtest/rqjob.ts";
import { jobSpecs, SCENARIOS } from "../../loadtest/scenarios.ts";
import { python, REPO_ROOT, RQ_OF, startRedis } from "./support.ts";

const COMPARE = `${REPO_ROOT}tests/loadtest/rq_compare.py`;
const SITE = "site1.local";
const SCHEDULED = "frappe.core.doctype.scheduled_job_type.scheduled_job_type.run_scheduled_job";

interface Case {
  name: string;
  spec: (v: FrappeVersion) => JobSpec;
  /** What the worker will call, written out as Frappe has it. */
  method: string;
  kwargs: (v: FrappeVersion, spec: JobSpec) => Record<string, unknown>;
  id: (v: FrappeVersion) => RegExp;
}

const testJob = (queue: string, s: number): Case => ({
  name: `${queue} test_job`,
  spec: (version) => jobSpecs({ site: SITE, version, queue, jobs: 1, jobSeconds: s })[0],
  method: "frappe.utils.background_jobs.test_job",
  kwargs: () => ({ s }),
  id: (v) => new RegExp(`^site1\\.local${v === 15 ? "::" : "\\|\\|"}[0-9a-f-]{36}$`),
});

const CASES: Case[] = [
  testJob("short", 2),
  testJob("long", 0.5),
  {
    name: "daily-report (the scheduler's call)",
    spec: (version) => jobSpecs({ ...SCENARIOS["daily-report"], site: SITE, version })[0],
    method: SCHEDULED,
    kwargs: (v, spec) => {
      const jobType = String(spec.kwargs.job_type);
      return v === 15 ? { job_type: jobType } : { job_type: jobType, scheduled_job_type: jobType };
    },
    id: (v) =>
      new RegExp(
        `^site1\\.local${v === 15 ? "::scheduled_job::" : "\\|\\|scheduled_job\\|\\|"}` +
          `frappe_op_loadtest\\.daily_report\\.[0-9a-f-]{36}$`,
      ),
  },
];

for (const version of [15, 16] as FrappeVersion[]) {
  for (const c of CASES) {
    Deno.test(`rqjob: v${version} ${c.name} equals RQ ${RQ_OF[version]}'s enqueue_call`, async () => {
      const server = await startRedis();
      const redis = await connectRedis({ url: server.url });
      try {
        const spec = c.spec(version);
        const job = buildJob(version, "bench.one", spec, new Date());
        assert.match(job.id, c.id(version));
        await enqueueJobs(redis, [job]);
        const kwargs = c.kwargs(version, spec);
        const out = JSON.parse(
          await python(RQ_OF[version], [
            COMPARE,
            server.url,
            `bench.one:${spec.queue}`,
            job.id,
            String(version),
            SITE,
            c.method,
            JSON.stringify(kwargs),
          ]),
        );
        assert.deepEqual(out.diffs, []);
        assert.equal(out.fetch.func_name, "frappe.utils.background_jobs.execute_job");
        assert.deepEqual(out.fetch.args, []);
        assert.deepEqual(out.fetch.kwargs, {
          site: SITE,
          user: "Administrator",
          method: c.method,
          event: null,
          job_name: c.method,
          is_async: true,
          kwargs,
        });
        assert.equal(out.fetch.timeout, spec.queue === "long" ? 1500 : 300);
        assert.equal(out.fetch.origin, `bench.one:${spec.queue}`);
        assert.match(out.fetch.status, /queued/i);
        assert.equal(out.fetch.result_ttl, 600);
        assert.equal(out.fetch.failure_ttl, 604800);
        assert.equal(out.count, 1);
        assert.deepEqual(out.job_ids, [job.id]);
        // Ours alone wrote this db's rq:queues; RQ wrote the same into its own db.
        assert.deepEqual(out.queues, [`rq:queue:bench.one:${spec.queue}`]);
        assert.deepEqual(out.rq_queues, out.queues);
      } finally {
        redis.disconnect();
        await server.stop();
      }
    });
  }
}
