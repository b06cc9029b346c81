/**
 * Enqueue throughput: frappe-op's enqueue (build + MULTI/EXEC batches) vs
 * Python RQ's `Queue.enqueue_call` (what `frappe.enqueue` calls), N jobs each
 * on the same local redis-server, for Frappe v15 (rq 1.15.1) and v16
 * (rq 2.6.1), side by side in one run.
 *
 *   deno run -A bench/enqueue.ts [N=10000]
 *
 * Needs redis-server and the venvs of hack/python-env.sh (created if absent).
 */
import { enqueueJobs } from "../loadtest/enqueue.ts";
import { connectRedis } from "../loadtest/redis.ts";
import { buildJobs, type FrappeVersion, TEST_JOB } from "../loadtest/rqjob.ts";
import { python, REPO_ROOT, RQ_OF, startRedis } from "../tests/loadtest/support.ts";

const N = Number(Deno.args[0] ?? 10_000);

async function ours(url: string, version: FrappeVersion, batchSize: number): Promise<number> {
  const redis = await connectRedis({ url });
  try {
    const start = performance.now();
    const now = new Date();
    const spec = { site: "site1.local", method: TEST_JOB, kwargs: { s: 1 }, queue: "short" };
    const jobs = buildJobs(version, `ours-${version}-${batchSize}`, Array(N).fill(spec), now);
    await enqueueJobs(redis, jobs, { batchSize });
    return (performance.now() - start) / 1000;
  } finally {
    redis.disconnect();
  }
}

async function rq(url: string, version: FrappeVersion): Promise<number> {
  const out = await python(RQ_OF[version], [
    `${REPO_ROOT}bench/enqueue_rq.py`,
    url,
    `rq-${version}`,
    String(N),
    String(version),
  ]);
  return JSON.parse(out).seconds;
}

const rate = (s: number) => Math.round(N / s);
const server = await startRedis();
try {
  console.log(`enqueue throughput, ${N} jobs each, same redis-server (${server.url})`);
  console.log(
    "| Frappe | RQ | RQ enqueue_call jobs/s | ours, 1 job/MULTI | ours, 100 jobs/MULTI | ratio (100/MULTI vs RQ) |",
  );
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const version of [15, 16] as FrappeVersion[]) {
    const rqS = await rq(server.url, version);
    const one = await ours(server.url, version, 1);
    const hundred = await ours(server.url, version, 100);
    console.log(
      `| v${version} | ${RQ_OF[version]} | ${rate(rqS)} | ${rate(one)} | ${rate(hundred)} | ` +
        `${(rqS / hundred).toFixed(1)}x |`,
    );
  }
  console.log(
    `redis-server used ${await server.cli("INFO", "memory").then((m) =>
      m.match(/used_memory_human:(\S+)/)?.[1]
    )} for ${4 * N} queued jobs`,
  );
} finally {
  await server.stop();
}
