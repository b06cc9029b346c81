/**
 * Samples a bench's queues and our jobs until every job has ended (and, when
 * replica sources are given, every worker is back at its minimum), the
 * timeout passes, or the signal aborts. Each sample records LLEN of the
 * queue(s), ZCARD of the started (rq:wip), finished and failed registries,
 * our jobs' states, and worker replicas per tenant.
 */

import { failedKey, finishedKey, queueKey, startedKey } from "../apis/naming.ts";
import { type JobState, JobTracker } from "./jobstate.ts";
import type { Redis } from "./redis.ts";
import { abortableSleep } from "./sleep.ts";

/** Replicas of each worker Deployment of one tenant (`ns/name`). */
export interface ReplicaSource {
  tenant: string;
  read(): Promise<Record<string, number>>;
  /** Replicas each worker goes back to when idle (its minReplicas). */
  minimum: Record<string, number>;
}

export interface Sample {
  tMs: number;
  queued: number;
  running: number;
  finishedRegistry: number;
  failedRegistry: number;
  jobs: Record<JobState, number>;
  /** tenant -> deployment -> replicas */
  replicas: Record<string, Record<string, number>>;
}

export interface ObserveOptions {
  redis: Redis;
  benchId: string;
  queues: string[];
  jobIds: string[];
  replicaSources?: ReplicaSource[];
  /** Keep sampling after the jobs end until workers are back at their minimum. */
  waitForScaleDown?: boolean;
  intervalMs?: number;
  timeoutMs: number;
  /** Sample at least this long even when every job has ended (the idle scenario). */
  minDurationMs?: number;
  lostAfterMs?: number;
  signal?: AbortSignal;
  /** ms since the load started (the report's time zero). */
  elapsed: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onSample?: (s: Sample) => void;
}

export type EndedBy = "done" | "timeout" | "interrupted";

export interface Observation {
  samples: Sample[];
  states: Map<string, JobState>;
  endedBy: EndedBy;
}

async function registryCounts(redis: Redis, benchId: string, queues: string[]) {
  const replies = await redis.pipeline(queues.flatMap((q) => [
    ["LLEN", queueKey(benchId, q)],
    ["ZCARD", startedKey(benchId, q)],
    ["ZCARD", finishedKey(benchId, q)],
    ["ZCARD", failedKey(benchId, q)],
  ]));
  const values = replies.map(Number);
  const sum = (offset: number) =>
    values.filter((_, i) => i % 4 === offset).reduce((a, b) => a + b, 0);
  return { queued: sum(0), running: sum(1), finishedRegistry: sum(2), failedRegistry: sum(3) };
}

async function readReplicas(sources: ReplicaSource[]): Promise<Sample["replicas"]> {
  const out: Sample["replicas"] = {};
  await Promise.all(sources.map(async (s) => (out[s.tenant] = await s.read())));
  return out;
}

function atMinimum(sample: Sample, sources: ReplicaSource[]): boolean {
  return sources.every((s) =>
    Object.entries(sample.replicas[s.tenant] ?? {}).every(([d, n]) => n <= (s.minimum[d] ?? 0))
  );
}

async function takeSample(o: ObserveOptions, tracker: JobTracker): Promise<Sample> {
  const [counts, nowMs, replicas] = await Promise.all([
    registryCounts(o.redis, o.benchId, o.queues),
    o.redis.timeMs(),
    readReplicas(o.replicaSources ?? []),
  ]);
  await tracker.refresh(o.redis, nowMs);
  return { tMs: o.elapsed(), ...counts, jobs: tracker.counts(), replicas };
}

export async function observe(o: ObserveOptions): Promise<Observation> {
  const tracker = new JobTracker(o.jobIds, o.lostAfterMs ?? 90_000);
  const sleep = o.sleep ?? abortableSleep;
  const sources = o.replicaSources ?? [];
  const samples: Sample[] = [];
  let endedBy: EndedBy = "timeout";
  while (true) {
    const sample = await takeSample(o, tracker);
    samples.push(sample);
    o.onSample?.(sample);
    const settled = !o.waitForScaleDown || sources.length === 0 || atMinimum(sample, sources);
    const held = sample.tMs >= (o.minDurationMs ?? 0);
    if (tracker.allTerminal() && settled && held) {
      endedBy = "done";
      break;
    }
    if (o.signal?.aborted) {
      endedBy = "interrupted";
      break;
    }
    if (sample.tMs >= o.timeoutMs) break;
    await sleep(o.intervalMs ?? 1000, o.signal);
  }
  return { samples, states: tracker.states, endedBy };
}
