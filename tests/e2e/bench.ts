/**
 * A tenant's bench for e2e tests: its Redis reached by the Service name the
 * bench config names (the node agent maps it to a loopback address), Frappe
 * jobs enqueued exactly as `frappe.enqueue` writes them, and the RQ
 * registries read back.
 */
import { finishedKey, jobKey, queueKey, startedKey } from "../../apis/naming.ts";
import { enqueueJobs } from "../../loadtest/enqueue.ts";
import { connectRedis, type Redis } from "../../loadtest/redis.ts";
import { buildJob, type FrappeVersion, TEST_JOB } from "../../loadtest/rqjob.ts";
import { kube } from "./stack.ts";

export interface BenchConn {
  benchId: string;
  redisUrl: string;
  redis: Redis;
}

/** Reads `<fd>-config` (common_site_config.json) and connects to the queue Redis. */
export async function connectBench(namespace: string, fd: string): Promise<BenchConn> {
  const secret = await (await kube()).get({
    apiVersion: "v1",
    kind: "Secret",
    namespace,
    name: `${fd}-config`,
  });
  const b64 = secret?.data?.["common_site_config.json"];
  if (!b64) throw new Error(`Secret ${namespace}/${fd}-config has no common_site_config.json`);
  const config = JSON.parse(atob(b64));
  const redis = await connectRedis({ url: config.redis_queue });
  return { benchId: config.bench_id, redisUrl: config.redis_queue, redis };
}

/** Enqueues `count` Frappe test_job(seconds) jobs on `queue`; returns their ids. */
export async function enqueueSleeps(
  b: BenchConn,
  queue: string,
  count: number,
  seconds: number,
  version: FrappeVersion = 15,
): Promise<string[]> {
  const now = new Date();
  const jobs = Array.from(
    { length: count },
    () =>
      buildJob(version, b.benchId, {
        site: "e2e.local",
        method: TEST_JOB,
        kwargs: { s: seconds },
        queue,
      }, now),
  );
  const result = await enqueueJobs(b.redis, jobs);
  return result.enqueued;
}

export interface QueueCounts {
  waiting: number;
  running: number;
  finished: number;
}

export async function queueCounts(b: BenchConn, queue: string): Promise<QueueCounts> {
  const [waiting, running, finished] = await b.redis.pipeline([
    ["LLEN", queueKey(b.benchId, queue)],
    ["ZCARD", startedKey(b.benchId, queue)],
    ["ZCARD", finishedKey(b.benchId, queue)],
  ]);
  return { waiting: Number(waiting), running: Number(running), finished: Number(finished) };
}

/** Status and worker name of each job (RQ keeps finished jobs for result_ttl). */
export async function jobOutcomes(
  b: BenchConn,
  ids: string[],
): Promise<{ status: string; worker: string }[]> {
  return await Promise.all(ids.map(async (id) => {
    const [status, worker] = await b.redis.call(
      "HMGET",
      jobKey(id),
      "status",
      "worker_name",
    ) as (string | null)[];
    return { status: status ?? "missing", worker: worker ?? "" };
  }));
}

/** One field of a job hash (e.g. started_at), or undefined. */
export async function jobField(
  b: BenchConn,
  id: string,
  field: string,
): Promise<string | undefined> {
  const v = await b.redis.call("HGET", jobKey(id), field);
  return typeof v === "string" && v !== "" ? v : undefined;
}

/**
 * Samples a queue's waiting list and `rq:wip` (what KEDA's two triggers read)
 * every `intervalMs` in the background: when they were last seen non-empty
 * (KEDA's cooldown and the HPA's window count from about then) and when first
 * seen empty after that.
 */
export class BusyWatch {
  /** Last sample with waiting + running > 0 (ms epoch). */
  lastBusy?: number;
  /** First sample with both empty after `lastBusy`. */
  idleSince?: number;
  #stop = false;
  #done: Promise<void>;

  constructor(readonly bench: BenchConn, readonly queue: string, intervalMs = 250) {
    this.#done = this.#loop(intervalMs);
  }

  async #loop(intervalMs: number): Promise<void> {
    while (!this.#stop) {
      const c = await queueCounts(this.bench, this.queue).catch(() => undefined);
      const t = Date.now();
      if (c && c.waiting + c.running > 0) {
        this.lastBusy = t;
        this.idleSince = undefined;
      } else if (c && this.lastBusy !== undefined && this.idleSince === undefined) {
        this.idleSince = t;
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  async stop(): Promise<void> {
    this.#stop = true;
    await this.#done;
  }
}

/** An RQ timestamp field of a job (`started_at`, `ended_at`: UTC, microseconds) as ms since epoch. */
export async function jobTime(
  b: BenchConn,
  id: string,
  field: string,
): Promise<number | undefined> {
  const v = await jobField(b, id, field);
  return v === undefined ? undefined : Date.parse(v.replace(/(\.\d{3})\d*Z$/, "$1Z"));
}
