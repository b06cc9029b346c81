/**
 * Turns an enqueue result and the observer's samples into the numbers a
 * person asks after a load test: how fast workers scaled up, how long the
 * queue took to drain, whether any job was lost, and what the worker
 * replica-seconds cost compared with keeping the same workers always on:
 * at 1 replica each (a bench without autoscaling) and at their peak.
 *
 * Time zero is the start of enqueueing. "Replicas" are always a worker
 * Deployment's spec.replicas, what KEDA/the HPA asked for, not running pods.
 * "At minimum" means a worker's replicas <= its minReplicas (from the
 * cluster; without it, the replicas of the first sample).
 */

import type { EnqueueResult } from "./enqueue.ts";
import type { Observation, Sample } from "./observer.ts";

export interface WorkerInfo {
  tenant: string;
  deployment: string;
  /** Worker type: short, long, default or a custom queue's name. */
  type: string;
  /** Requested vCPU and GiB per replica. */
  cpu: number;
  memoryGiB: number;
  minReplicas?: number;
  maxReplicas?: number;
  /** False for a static worker (no ScaledObject): its min and max are just its replicas. */
  autoscaled?: boolean;
}

export interface Prices {
  vcpuHour: number;
  gibHour: number;
}
/** Roughly on-demand cloud prices: $/vCPU-hour and $/GiB-hour. */
export const DEFAULT_PRICES: Prices = { vcpuHour: 0.04, gibHour: 0.005 };

export interface WorkerReport {
  tenant: string;
  deployment: string;
  type: string;
  minReplicas: number;
  /** Highest spec.replicas sampled (what KEDA/the HPA asked for, not running pods). */
  peakReplicas: number;
  /** The integral of spec.replicas (desired, not running pods) over the observed window. */
  replicaSeconds: number;
  cost: number;
  /** The same worker at 1 replica for the observed window (a bench without autoscaling). */
  alwaysOnOneReplicaCost: number;
  /** Replicas of the at-peak comparison: maxReplicas (a static worker's replicas), or the observed peak when unknown. */
  alwaysOnPeakReplicas: number;
  alwaysOnPeakBasis: "maxReplicas" | "static" | "peak";
  alwaysOnPeakCost: number;
}

/** What the same workers would cost kept always on, and how much autoscaling saved against it. */
export interface Baseline {
  cost: number;
  savedPercent?: number;
}

export interface Report {
  scenario: string;
  frappeVersion: number;
  benchId: string;
  queues: string[];
  loadTenant?: string;
  endedBy: Observation["endedBy"] | "not-observed";
  observedSeconds: number;
  jobs: {
    enqueued: number;
    finished: number;
    failed: number;
    lost: number;
    gone: number;
    stillQueued: number;
    stillRunning: number;
    /** Neither finished nor failed nor still queued/running at the end (lost + gone + other). */
    missing: number;
  };
  timings: {
    enqueueSeconds: number;
    enqueueRate: number;
    firstScaleUpSeconds?: number;
    /** First sample at the observed peak of the loaded workers' total spec.replicas (not maxReplicas). */
    peakReplicasSeconds?: number;
    drainSeconds?: number;
    backToMinSeconds?: number;
  };
  workers: WorkerReport[];
  otherTenantsStayedAtMin?: boolean;
  cost: {
    prices: Prices;
    autoscaled: number;
    /** Every worker at 1 replica: what a bench without autoscaling runs (docs/cost.md). */
    alwaysOnOneReplica: Baseline;
    /** Every worker at its maxReplicas (else its observed peak): a static fleet for the same peak. */
    alwaysOnPeak: Baseline;
  };
}

export interface ReportInput {
  scenario: string;
  frappeVersion: number;
  benchId: string;
  queues: string[];
  loadTenant?: string;
  enqueue: EnqueueResult;
  observation?: Observation;
  workers: WorkerInfo[];
  prices: Prices;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const secs = (ms: number | undefined) => ms === undefined ? undefined : round(ms / 1000, 1);

function replicasOf(s: Sample, w: WorkerInfo): number {
  return s.replicas[w.tenant]?.[w.deployment] ?? 0;
}

function minimumOf(w: WorkerInfo, samples: Sample[]): number {
  return w.minReplicas ?? (samples.length ? replicasOf(samples[0], w) : 0);
}

function jobCounts(input: ReportInput): Report["jobs"] {
  const c = input.observation?.samples.at(-1)?.jobs;
  const enqueued = input.enqueue.enqueued.length;
  if (!c) {
    return {
      enqueued,
      finished: 0,
      failed: 0,
      lost: 0,
      gone: 0,
      stillQueued: enqueued,
      stillRunning: 0,
      missing: 0,
    };
  }
  return {
    enqueued,
    finished: c.finished,
    failed: c.failed,
    lost: c.lost,
    gone: c.missing,
    stillQueued: c.queued,
    stillRunning: c.started,
    missing: c.lost + c.missing + c.other,
  };
}

function workerReport(w: WorkerInfo, samples: Sample[], prices: Prices): WorkerReport {
  let replicaMs = 0;
  for (let i = 0; i + 1 < samples.length; i++) {
    replicaMs += replicasOf(samples[i], w) * (samples[i + 1].tMs - samples[i].tMs);
  }
  const peak = Math.max(0, ...samples.map((s) => replicasOf(s, w)));
  const windowS = samples.length > 1 ? (samples.at(-1)!.tMs - samples[0].tMs) / 1000 : 0;
  const perReplicaHour = w.cpu * prices.vcpuHour + w.memoryGiB * prices.gibHour;
  const cost = (replicaSeconds: number) => round((replicaSeconds / 3600) * perReplicaHour, 6);
  const peakReplicas = w.maxReplicas ?? peak;
  return {
    tenant: w.tenant,
    deployment: w.deployment,
    type: w.type,
    minReplicas: minimumOf(w, samples),
    peakReplicas: peak,
    replicaSeconds: round(replicaMs / 1000, 1),
    cost: cost(replicaMs / 1000),
    alwaysOnOneReplicaCost: cost(windowS),
    alwaysOnPeakReplicas: peakReplicas,
    alwaysOnPeakBasis: w.maxReplicas === undefined
      ? "peak"
      : w.autoscaled === false
      ? "static"
      : "maxReplicas",
    alwaysOnPeakCost: cost(peakReplicas * windowS),
  };
}

/** The workers that went above their minimum during the run. */
export function leftMinimum(workers: WorkerReport[]): WorkerReport[] {
  return workers.filter((w) => w.peakReplicas > w.minReplicas);
}

function baseline(autoscaled: number, alwaysOn: number): Baseline {
  return {
    cost: round(alwaysOn, 6),
    savedPercent: alwaysOn > 0 ? round((1 - autoscaled / alwaysOn) * 100, 1) : undefined,
  };
}

function timings(input: ReportInput, load: WorkerInfo[]): Report["timings"] {
  const { enqueue } = input;
  const samples = input.observation?.samples ?? [];
  const total = (s: Sample) => load.reduce((a, w) => a + replicasOf(s, w), 0);
  const above = (s: Sample) => load.some((w) => replicasOf(s, w) > minimumOf(w, samples));
  const atMin = (s: Sample) => load.every((w) => replicasOf(s, w) <= minimumOf(w, samples));
  const open = (s: Sample) => s.jobs.queued + s.jobs.started + s.jobs.other;
  const up = samples.find(above);
  const peak = Math.max(0, ...samples.map(total));
  const drain = samples.find((s) => open(s) === 0);
  const back = up &&
    samples.find((s) => s.tMs > up.tMs && s.tMs >= (drain?.tMs ?? Infinity) && atMin(s));
  const enqueueMs = enqueue.endedAtMs - enqueue.startedAtMs;
  return {
    enqueueSeconds: round(enqueueMs / 1000, 3),
    enqueueRate: enqueueMs > 0 ? round(enqueue.enqueued.length / (enqueueMs / 1000), 1) : 0,
    firstScaleUpSeconds: secs(up?.tMs),
    peakReplicasSeconds: up ? secs(samples.find((s) => total(s) === peak)?.tMs) : undefined,
    drainSeconds: secs(drain?.tMs),
    backToMinSeconds: secs(back ? back.tMs : undefined),
  };
}

export function buildReport(input: ReportInput): Report {
  const samples = input.observation?.samples ?? [];
  const workers = input.workers.map((w) => workerReport(w, samples, input.prices));
  const load = input.workers.filter((w) => !input.loadTenant || w.tenant === input.loadTenant);
  const others = workers.filter((w) => input.loadTenant && w.tenant !== input.loadTenant);
  const sum = (f: (w: WorkerReport) => number) => workers.reduce((a, w) => a + f(w), 0);
  const autoscaled = sum((w) => w.cost);
  return {
    scenario: input.scenario,
    frappeVersion: input.frappeVersion,
    benchId: input.benchId,
    queues: input.queues,
    loadTenant: input.loadTenant,
    endedBy: input.observation?.endedBy ?? "not-observed",
    observedSeconds: samples.length ? round(samples.at(-1)!.tMs / 1000, 1) : 0,
    jobs: jobCounts(input),
    timings: timings(input, load),
    workers,
    otherTenantsStayedAtMin: others.length ? leftMinimum(others).length === 0 : undefined,
    cost: {
      prices: input.prices,
      autoscaled: round(autoscaled, 6),
      alwaysOnOneReplica: baseline(autoscaled, sum((w) => w.alwaysOnOneReplicaCost)),
      alwaysOnPeak: baseline(autoscaled, sum((w) => w.alwaysOnPeakCost)),
    },
  };
}
