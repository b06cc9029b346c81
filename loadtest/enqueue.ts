/**
 * Writes built jobs to Redis the way RQ's `Queue.enqueue_call` does (job hash,
 * RPUSH of the id, SADD of the queue key to `rq:queues`), one MULTI/EXEC
 * transaction per batch: an interrupted run never leaves a hash without its
 * queue entry. Stopping (the AbortSignal) is honoured between transactions.
 */

import { QUEUES_SET_KEY } from "../apis/naming.ts";
import { LoadtestError } from "./errors.ts";
import type { Redis } from "./redis.ts";
import type { RespArg } from "../redis/resp.ts";
import type { RqJob } from "./rqjob.ts";
import { abortableSleep } from "./sleep.ts";

export interface EnqueueOptions {
  /** Jobs per transaction (default 100). */
  batchSize?: number;
  /** Jobs per second; unset = as fast as Redis takes them. Forces batches of 1 job. */
  rate?: number;
  signal?: AbortSignal;
  /** Injected for tests. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onBatch?: (enqueued: number) => void;
}

export interface EnqueueResult {
  enqueued: string[];
  startedAtMs: number;
  endedAtMs: number;
  interrupted: boolean;
}

/**
 * Fails early, before any write, when a key the transaction writes holds the
 * wrong type: a queue key must be a LIST, `rq:queues` a SET (or absent). A
 * wrong type would otherwise fail inside EXEC after the other commands applied.
 */
export async function checkQueueKeys(redis: Redis, keys: string[]): Promise<void> {
  const wanted = new Map<string, string>(keys.map((k) => [k, "list"]));
  wanted.set(QUEUES_SET_KEY, "set");
  for (const [key, want] of wanted) {
    const type = await redis.type(key);
    if (type !== want && type !== "none") {
      throw new LoadtestError(
        "redisWrongType",
        `WRONGTYPE: ${key === QUEUES_SET_KEY ? "RQ's queue registry" : "queue key"} ${key} ` +
          `holds a ${type}, not a ${want}; RQ cannot use it (delete it or check the bench id)`,
      );
    }
  }
}

/** One batch as one MULTI/EXEC: every job's hash and queue entry land together, or none. */
async function writeBatch(redis: Redis, batch: RqJob[]): Promise<void> {
  const commands: RespArg[][] = batch.flatMap((job) => [
    ["HSET", job.key, ...job.fields.flat()],
    ["RPUSH", job.queueKey, job.id],
  ]);
  commands.push(["SADD", QUEUES_SET_KEY, ...new Set(batch.map((j) => j.queueKey))]);
  await redis.transaction(commands);
}

export async function enqueueJobs(
  redis: Redis,
  jobs: RqJob[],
  opts: EnqueueOptions = {},
): Promise<EnqueueResult> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? abortableSleep;
  const size = opts.rate ? 1 : Math.max(1, opts.batchSize ?? 100);
  const startedAtMs = now();
  const enqueued: string[] = [];
  for (let i = 0; i < jobs.length; i += size) {
    if (opts.signal?.aborted) break;
    if (opts.rate) {
      const due = startedAtMs + (i / opts.rate) * 1000;
      if (due > now()) await sleep(due - now(), opts.signal);
      if (opts.signal?.aborted) break;
    }
    const batch = jobs.slice(i, i + size);
    await writeBatch(redis, batch);
    enqueued.push(...batch.map((j) => j.id));
    opts.onBatch?.(enqueued.length);
  }
  return {
    enqueued,
    startedAtMs,
    endedAtMs: now(),
    interrupted: enqueued.length < jobs.length,
  };
}
