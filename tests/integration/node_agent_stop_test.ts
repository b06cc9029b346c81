/**
 * The test node agent ends a worker pod the way a kubelet ends a container:
 * one SIGTERM to the RQ worker (warm shutdown), and when the grace period is
 * over, every process of the container dies, the work horse RQ forked into a
 * session or group of its own and what the job started included. A job longer
 * than the grace period is killed, not left running without a pod.
 * Needs redis-server, ps and the venvs of hack/python-env.sh (-A).
 */
import assert from "node:assert/strict";
import { rqWorkerArgv } from "../../hack/node-agent/bench.ts";
import { ContainerProcess } from "../../hack/node-agent/process.ts";
import { enqueueJobs } from "../../loadtest/enqueue.ts";
import { connectRedis } from "../../loadtest/redis.ts";
import { buildJob, type FrappeVersion } from "../../loadtest/rqjob.ts";
import {
  childPids,
  isAlive,
  pythonVenvs,
  readStandinLog,
  RQ_OF,
  STANDIN,
  startRedis,
  waitForEntry,
} from "../loadtest/support.ts";

const BENCH = "ns1.fd1";

for (const version of [15, 16] as FrappeVersion[]) {
  Deno.test(`node agent: rq ${RQ_OF[version]} job longer than the grace period is killed with its processes`, async () => {
    const server = await startRedis();
    const dir = await Deno.makeTempDir({ prefix: "frappe-op-agent-stop-" });
    const standinLog = `${dir}/standin.jsonl`;
    const redis = await connectRedis({ url: server.url });
    const venv = (await pythonVenvs())[`rq-${RQ_OF[version]}`];
    let proc: ContainerProcess | undefined;
    const seen: number[] = [];
    try {
      // The job runs a child of its own (`sleep 120`), as a job that shells out would.
      const job = buildJob(version, BENCH, {
        site: "site1.local",
        method: "subprocess.call",
        kwargs: { args: ["sleep", "120"] },
        queue: "short",
      }, new Date());
      await enqueueJobs(redis, [job]);
      const argv = rqWorkerArgv({
        venvDir: venv,
        standinDir: STANDIN,
        workerName: "worker-short-0",
        config: { benchId: BENCH, redisQueue: server.url },
        queues: ["short"],
      });
      proc = new ContainerProcess(argv, {
        env: { PATH: Deno.env.get("PATH")!, PYTHONPATH: STANDIN, FRAPPE_STANDIN_LOG: standinLog },
        cwd: dir,
        logFile: `${dir}/worker.log`,
      });
      await waitForEntry(standinLog, (e) => e.job_id === job.id && e.phase === "start");
      const horse = ((await readStandinLog(standinLog))[0] as unknown as { pid: number }).pid;
      assert.deepEqual(childPids(proc.pid), [horse], "the job runs in a forked work horse");
      let sleeper: number[] = [];
      for (let i = 0; i < 50 && sleeper.length === 0; i++) {
        sleeper = childPids(horse);
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(sleeper.length, 1, "the job's own child is running");
      seen.push(horse, ...sleeper);

      const exit = await proc.stop(2_000);

      assert.equal(exit.signal, "SIGKILL", "the worker outlived its grace period");
      for (const pid of [horse, ...sleeper]) {
        for (let i = 0; i < 20 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
        assert.ok(!isAlive(pid), `process ${pid} of the container is gone`);
      }
      assert.equal(
        await server.cli("HGET", job.key, "status"),
        "started",
        "the job did not finish",
      );
      const ends = (await readStandinLog(standinLog)).filter((e) => e.phase === "end");
      assert.deepEqual(ends, []);
      const log = await Deno.readTextFile(`${dir}/worker.log`);
      assert.equal(
        log.match(/warm shut down requested/gi)?.length,
        1,
        "one SIGTERM: warm shutdown",
      );
      assert.doesNotMatch(log, /cold shut down/i, "never a second signal");
    } finally {
      await proc?.stop(0);
      for (const pid of seen.filter(isAlive)) Deno.kill(pid, "SIGKILL"); // when the test fails
      redis.disconnect();
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
