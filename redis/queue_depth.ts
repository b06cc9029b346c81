/**
 * What a bench's workers have to do, read from its queue Redis in one
 * pipeline: per worker, the jobs waiting (LLEN of `rq:queue:<bench_id>:<q>`)
 * and running (ZCARD of `rq:wip:<bench_id>:<q>`, RQ's StartedJobRegistry),
 * summed over the queues it serves. The keys are the ones the ScaledObjects
 * watch (apis/naming.ts). Used by the operator and `status --redis-depth`.
 */
import { queueKey, startedKey } from "../apis/naming.ts";
import type { Redis } from "./connect.ts";

export interface WorkerQueues {
  type: string;
  queues: string[];
}

export interface QueueDepth {
  queueDepth: number;
  running: number;
}

export async function readQueueDepths(
  redis: Redis,
  benchId: string,
  workers: WorkerQueues[],
): Promise<Map<string, QueueDepth>> {
  const replies = await redis.pipeline(
    workers.flatMap((w) =>
      w.queues.flatMap((q) => [["LLEN", queueKey(benchId, q)], ["ZCARD", startedKey(benchId, q)]])
    ),
  );
  const out = new Map<string, QueueDepth>();
  let i = 0;
  for (const w of workers) {
    const depth = { queueDepth: 0, running: 0 };
    for (const _q of w.queues) {
      depth.queueDepth += Number(replies[i++]);
      depth.running += Number(replies[i++]);
    }
    out.set(w.type, depth);
  }
  return out;
}

/** Whether any worker has a job waiting or running. */
export function busy(depths: Map<string, QueueDepth>): boolean {
  return [...depths.values()].some((d) => d.queueDepth + d.running > 0);
}
