/**
 * The job hash we write equals, field for field, the one RQ's own
 * `enqueue_call` writes (into another db) for the same `frappe.enqueue` call,
 * for Frappe v15 (rq 1.15.1) and v16 (rq 2.6.1); RQ's Job.fetch and
 * Queue.count read ours, and we register the queue in `rq:queues` as RQ does.
 * Needs redis-server and the venvs of hack/python-env.sh (-A).
 */
import assert from "node:assert/strict";
import { connectRedis } from "../../loadtest/redis.ts";
import { enqueueJobs } from "../../loadtest/enqueue.ts";
import { buildJob, type FrappeVersion, TEST_JOB } from "../../loadtest/rqjob.ts";
import { python, REPO_ROOT, RQ_OF, startRedis } from "./support.ts";

const COMPARE = `${REPO_ROOT}tests/loadtest/rq_compare.py`;

for (const version of [15, 16] as FrappeVersion[]) {
  for (const [queue, seconds] of [["short", 2], ["long", 0.5]] as const) {
    Deno.test(`rqjob: v${version} ${queue} job equals RQ ${RQ_OF[version]}'s enqueue_call`, async () => {
      const server = await startRedis();
      const redis = await connectRedis({ url: server.url });
      try {
        const job = buildJob(version, "bench.one", {
          site: "site1.local",
          method: TEST_JOB,
          kwargs: { s: seconds },
          queue,
        }, new Date());
        assert.match(
          job.id,
          version === 15 ? /^site1\.local::[0-9a-f-]{36}$/ : /^site1\.local\|\|/,
        );
        await enqueueJobs(redis, [job]);
        const out = JSON.parse(
          await python(RQ_OF[version], [
            COMPARE,
            server.url,
            `bench.one:${queue}`,
            job.id,
            String(version),
            "site1.local",
            JSON.stringify(seconds),
          ]),
        );
        assert.deepEqual(out.diffs, []);
        assert.equal(out.fetch.func_name, "frappe.utils.background_jobs.execute_job");
        assert.deepEqual(out.fetch.args, []);
        assert.deepEqual(out.fetch.kwargs, {
          site: "site1.local",
          user: "Administrator",
          method: TEST_JOB,
          event: null,
          job_name: TEST_JOB,
          is_async: true,
          kwargs: { s: seconds },
        });
        assert.equal(out.fetch.timeout, queue === "long" ? 1500 : 300);
        assert.equal(out.fetch.origin, `bench.one:${queue}`);
        assert.match(out.fetch.status, /queued/i);
        assert.equal(out.fetch.result_ttl, 600);
        assert.equal(out.fetch.failure_ttl, 604800);
        assert.equal(out.count, 1);
        assert.deepEqual(out.job_ids, [job.id]);
        // Ours alone wrote this db's rq:queues; RQ wrote the same into its own db.
        assert.deepEqual(out.queues, [`rq:queue:bench.one:${queue}`]);
        assert.deepEqual(out.rq_queues, out.queues);
      } finally {
        redis.disconnect();
        await server.stop();
      }
    });
  }
}
