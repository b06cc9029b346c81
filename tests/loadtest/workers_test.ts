/**
 * Real RQ workers (rq 1.15.1 for Frappe v15, rq 2.6.1 for v16) running the
 * frappe stand-in pick up every job `runLoadtest` enqueues, call test_job (or,
 * for daily-report, the scheduler's run_scheduled_job) with the right
 * arguments, and end them finished; a worker of either version SIGKILLed mid-job
 * shows up as lost in the report and fails --expect-no-loss.
 * Needs redis-server, setsid and the venvs of hack/python-env.sh (-A).
 */
import assert from "node:assert/strict";
import { enqueueJobs } from "../../loadtest/enqueue.ts";
import { checkExpectations } from "../../loadtest/expect.ts";
import { observe } from "../../loadtest/observer.ts";
import { connectRedis } from "../../loadtest/redis.ts";
import { buildReport, DEFAULT_PRICES } from "../../loadtest/report.ts";
import { buildJob, type FrappeVersion, TEST_JOB } from "../../loadtest/rqjob.ts";
import { type RunConfig, runLoadtest } from "../../loadtest/run.ts";
import { type Scenario, SCENARIOS } from "../../loadtest/scenarios.ts";
import {
  childPids,
  isAlive,
  readStandinLog,
  RQ_OF,
  type StandinEntry,
  startRedis,
  startWorker,
  waitForEntry,
  type Worker,
} from "./support.ts";

const BENCH = "ns1.fd1";

function config(url: string, version: FrappeVersion, scenario: Scenario): RunConfig {
  return {
    scenario,
    tenants: [],
    redisUrl: url,
    benchId: BENCH,
    site: "site1.local",
    frappeVersion: version,
    wait: true,
    timeoutS: 60,
    intervalS: 0.2,
    lostAfterS: 90,
    prices: DEFAULT_PRICES,
    expect: { noLoss: true },
  };
}

/**
 * Runs `scenario` with two burst workers started once every job is in the
 * queue; checks that every job finished and ran exactly once, and hands the
 * stand-in's "end" entries to `check`.
 */
async function runOnWorkers(
  version: FrappeVersion,
  scenario: Scenario,
  check: (ends: StandinEntry[]) => void,
): Promise<void> {
  const server = await startRedis();
  const log = await Deno.makeTempFile({ prefix: "standin-", suffix: ".jsonl" });
  const workers: Worker[] = [];
  const queue = `${BENCH}:${scenario.queue}`;
  try {
    const result = await runLoadtest(config(server.url, version, scenario), {
      onEnqueued: (n, total) => {
        if (n < total) return;
        for (let i = 0; i < 2; i++) {
          startWorker(RQ_OF[version], server.url, [queue], { burst: true, log })
            .then((w) => workers.push(w));
        }
      },
    });
    assert.deepEqual(result.failures, []);
    const j = result.report.jobs;
    assert.equal(j.enqueued, scenario.jobs);
    assert.equal(j.finished, scenario.jobs);
    assert.equal(j.missing + j.failed + j.stillQueued + j.stillRunning, 0);
    const ends = (await readStandinLog(log)).filter((e) => e.phase === "end");
    assert.equal(ends.length, scenario.jobs);
    assert.equal(new Set(ends.map((e) => e.job_id)).size, scenario.jobs);
    for (const e of ends) {
      assert.equal(e.site, "site1.local");
      assert.equal(e.user, "Administrator");
      assert.equal(e.is_async, true);
      assert.equal(e.job_name, e.method);
    }
    check(ends);
    assert.equal(await server.cli("LLEN", `rq:queue:${queue}`), "0");
    assert.equal(await server.cli("ZCARD", `rq:finished:${queue}`), String(scenario.jobs));
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await server.stop();
    await Deno.remove(log);
  }
}

for (const version of [15, 16] as FrappeVersion[]) {
  const sep = version === 15 ? "::" : "||";
  Deno.test(`workers: rq ${RQ_OF[version]} runs every v${version} test_job with its arguments`, async () => {
    await runOnWorkers(
      version,
      { ...SCENARIOS["bulk-email"], jobs: 8, jobSeconds: 0.3 },
      (ends) => {
        for (const e of ends) {
          assert.ok(e.job_id.startsWith(`site1.local${sep}`), e.job_id);
          assert.equal(e.method, TEST_JOB);
          assert.deepEqual(e.kwargs, { s: 0.3 });
        }
      },
    );
  });

  Deno.test(`workers: rq ${RQ_OF[version]} runs v${version} daily-report as the scheduler's call`, async () => {
    await runOnWorkers(version, { ...SCENARIOS["daily-report"], jobs: 3 }, (ends) => {
      for (const e of ends) {
        const jobType = String(e.kwargs.job_type);
        assert.match(jobType, /^frappe_op_loadtest\.daily_report\.[0-9a-f-]{36}$/);
        assert.equal(e.job_id, `site1.local${sep}scheduled_job${sep}${jobType}`);
        assert.equal(
          e.method,
          "frappe.core.doctype.scheduled_job_type.scheduled_job_type.run_scheduled_job",
        );
        assert.deepEqual(
          e.kwargs,
          version === 15
            ? { job_type: jobType }
            : { job_type: jobType, scheduled_job_type: jobType },
        );
      }
    });
  });
}

for (const version of [15, 16] as FrappeVersion[]) {
  Deno.test(`workers: a job whose rq ${RQ_OF[version]} worker is SIGKILLed mid-run is reported lost`, async () => {
    const server = await startRedis();
    const log = await Deno.makeTempFile({ prefix: "standin-", suffix: ".jsonl" });
    const redis = await connectRedis({ url: server.url });
    const workers: Worker[] = [];
    try {
      const at = new Date();
      const spec = { site: "site1.local", method: TEST_JOB, queue: "short" };
      const long = buildJob(version, BENCH, { ...spec, kwargs: { s: 60 } }, at);
      const shorts = [1, 2, 3].map(() =>
        buildJob(version, BENCH, { ...spec, kwargs: { s: 0.1 } }, at)
      );
      const t0 = Date.now();
      const enqueue = await enqueueJobs(redis, [long, ...shorts], { batchSize: 1 });
      const victim = await startWorker(RQ_OF[version], server.url, [`${BENCH}:short`], {
        log,
        monitorInterval: 1,
      });
      workers.push(victim);
      await waitForEntry(log, (e) => e.job_id === long.id && e.phase === "start");
      const horses = childPids(victim.pid);
      assert.equal(horses.length, 1, "the worker runs the job in one work horse");
      victim.killHard();
      await victim.done;
      for (let i = 0; i < 40 && isAlive(horses[0]); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(!isAlive(horses[0]), "the work horse is gone too");
      workers.push(
        await startWorker(RQ_OF[version], server.url, [`${BENCH}:short`], { burst: true, log }),
      );
      const observation = await observe({
        redis,
        benchId: BENCH,
        queues: ["short"],
        jobIds: enqueue.enqueued,
        intervalMs: 200,
        timeoutMs: 30_000,
        lostAfterMs: 3_000,
        elapsed: () => Date.now() - t0,
      });
      assert.equal(observation.endedBy, "done");
      assert.equal(observation.states.get(long.id), "lost");
      const report = buildReport({
        scenario: "kill",
        frappeVersion: version,
        benchId: BENCH,
        queues: ["short"],
        enqueue,
        observation,
        workers: [],
        prices: DEFAULT_PRICES,
      });
      assert.equal(report.jobs.finished, 3);
      assert.equal(report.jobs.lost, 1);
      assert.equal(report.jobs.missing, 1);
      const failures = checkExpectations(report, { noLoss: true });
      assert.equal(failures.length, 1);
      assert.match(failures[0], /--expect-no-loss: 1 of 4 jobs did not finish .*lost 1/);
    } finally {
      redis.disconnect();
      await Promise.all(workers.map((w) => w.stop()));
      await server.stop();
      await Deno.remove(log);
    }
  });
}
