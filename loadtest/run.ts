/**
 * One load test, start to end, with every outside effect passed in: resolve
 * the target(s), connect to Redis, enqueue (stoppable between transactions),
 * observe, report, check expectations. The CLI wires this to flags, the
 * terminal and signals; tests call it directly.
 */

import { queueKey } from "../apis/naming.ts";
import type { BenchTarget, ClusterView } from "./cluster.ts";
import { checkQueueKeys, enqueueJobs, type EnqueueResult } from "./enqueue.ts";
import { LoadtestError } from "./errors.ts";
import { checkExpectations, type Expectations } from "./expect.ts";
import { type Observation, observe, type ReplicaSource, type Sample } from "./observer.ts";
import {
  classifyRedisError,
  connectRedis,
  isRedisError,
  parseRedisUrl,
  redactUrl,
  type Redis,
} from "./redis.ts";
import { buildReport, type Prices, type Report } from "./report.ts";
import { buildJobs, type FrappeVersion, QUEUE_TIMEOUTS } from "./rqjob.ts";
import { overloadRefusal } from "./overload.ts";
import { jobSpecs, type Scenario } from "./scenarios.ts";

export interface RunConfig {
  scenario: Scenario;
  /** `ns/name` of each FrappeDeployment; the first gets the load. */
  tenants: string[];
  /** Explicit Redis URL (overrides the in-cluster address of the first tenant). */
  redisUrl?: string;
  redisPassword?: string;
  benchId?: string;
  site?: string;
  frappeVersion?: FrappeVersion;
  jobTimeout?: number;
  /** `--allow-overload`: enqueue even past Frappe v16's QueueOverloaded limit (overload.ts). */
  allowOverload?: boolean;
  rate?: number;
  batchSize?: number;
  wait: boolean;
  timeoutS: number;
  intervalS: number;
  lostAfterS: number;
  connectTimeoutMs?: number;
  prices: Prices;
  expect: Expectations;
}

export interface RunDeps {
  cluster?: ClusterView;
  signal?: AbortSignal;
  now?: () => number;
  onSample?: (s: Sample, enqueued: number) => void;
  onEnqueued?: (n: number, total: number) => void;
}

export interface RunResult {
  report: Report;
  failures: string[];
  interrupted: boolean;
}

function splitTenant(t: string): [string, string] {
  const [ns, name, extra] = t.split("/");
  if (!ns || !name || extra !== undefined) {
    throw new LoadtestError("usage", `target must be <namespace>/<name>, got "${t}"`);
  }
  return [ns, name];
}

async function resolveTargets(cfg: RunConfig, cluster?: ClusterView): Promise<BenchTarget[]> {
  if (cfg.tenants.length === 0) return [];
  if (!cluster) throw new LoadtestError("usage", "a ns/name target needs Kubernetes access");
  return await Promise.all(cfg.tenants.map((t) => cluster.benchTarget(...splitTenant(t))));
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === "") {
    throw new LoadtestError("usage", `missing ${what}`);
  }
  return value;
}

function replicaSources(targets: BenchTarget[], cluster?: ClusterView): ReplicaSource[] {
  if (!cluster) return [];
  return targets.map((t) => ({
    tenant: t.tenant,
    read: () => cluster.workerReplicas(...splitTenant(t.tenant)),
    minimum: Object.fromEntries(t.workers.map((w) => [w.deployment, w.minReplicas ?? 0])),
  }));
}

async function connect(cfg: RunConfig, target?: BenchTarget): Promise<Redis> {
  const url = required(cfg.redisUrl ?? target?.redisUrl, "--redis URL (or a ns/name target)");
  const password = cfg.redisPassword ??
    (parseRedisUrl(url).password ? undefined : target?.redisPassword);
  if (password === undefined && !parseRedisUrl(url).password && target?.redisPasswordMissing) {
    throw new LoadtestError(
      "redisAuth",
      `no password for Redis at ${redactUrl(url)}: ${target.redisPasswordMissing} ` +
        "(restore it, or give REDIS_PASSWORD)",
    );
  }
  return await connectRedis({ url, password, connectTimeoutMs: cfg.connectTimeoutMs });
}

/** Everything a run needs, resolved from flags and the cluster before any write. */
interface Plan {
  targets: BenchTarget[];
  main?: BenchTarget;
  benchId: string;
  site: string;
  version: FrappeVersion;
  queue: string;
  timeout?: number;
  /** Sites on the bench (Frappe v16's queue limit grows with them): the FrappeDeployment's, else 1. */
  sites: number;
}

/**
 * A FrappeDeployment declares short, long, default and its custom queues;
 * Frappe refuses to enqueue to any other, and no worker would ever take it.
 */
function assertDeclared(queue: string, main: BenchTarget | undefined): void {
  if (!main || queue in QUEUE_TIMEOUTS || queue in main.queueTimeouts) return;
  const declared = [...Object.keys(QUEUE_TIMEOUTS), ...Object.keys(main.queueTimeouts)];
  throw new LoadtestError(
    "usage",
    `--queue ${queue}: ${main.tenant} declares no such queue (${declared.join(", ")}); ` +
      "its jobs would wait forever",
  );
}

async function plan(cfg: RunConfig, cluster?: ClusterView): Promise<Plan> {
  const targets = await resolveTargets(cfg, cluster);
  const main = targets[0];
  const queue = cfg.scenario.queue;
  assertDeclared(queue, main);
  return {
    targets,
    main,
    benchId: required(cfg.benchId ?? main?.benchId, "--bench-id"),
    site: required(cfg.site ?? main?.site, "--site (the FrappeDeployment lists no site)"),
    version: cfg.frappeVersion ?? (main?.frappeVersion === 16 ? 16 : 15),
    queue,
    timeout: cfg.jobTimeout ?? main?.queueTimeouts[queue] ?? QUEUE_TIMEOUTS[queue],
    sites: main?.siteCount ?? 1,
  };
}

async function enqueuePhase(redis: Redis, cfg: RunConfig, p: Plan, deps: RunDeps) {
  const at = new Date((deps.now ?? Date.now)());
  const specs = jobSpecs({ ...cfg.scenario, site: p.site, version: p.version }).map((s) => ({
    ...s,
    timeout: p.timeout,
  }));
  const jobs = buildJobs(p.version, p.benchId, specs, at);
  const key = queueKey(p.benchId, p.queue);
  await checkQueueKeys(redis, [key]);
  const refusal = overloadRefusal({
    frappeVersion: p.version,
    queueKey: key,
    queued: await redis.llen(key),
    jobs: jobs.length,
    sites: p.sites,
    allowed: cfg.allowOverload ?? false,
  });
  if (refusal) throw new LoadtestError("usage", refusal);
  return await enqueueJobs(redis, jobs, {
    rate: cfg.rate,
    batchSize: cfg.batchSize,
    signal: deps.signal,
    now: deps.now,
    onBatch: (n) => deps.onEnqueued?.(n, jobs.length),
  });
}

function observePhase(
  redis: Redis,
  cfg: RunConfig,
  p: Plan,
  deps: RunDeps,
  enqueue: EnqueueResult,
  interrupted: boolean,
): Promise<Observation> {
  const now = deps.now ?? Date.now;
  return observe({
    redis,
    benchId: p.benchId,
    queues: [p.queue],
    jobIds: enqueue.enqueued,
    replicaSources: replicaSources(p.targets, deps.cluster),
    waitForScaleDown: true,
    intervalMs: cfg.intervalS * 1000,
    // Interrupted: one last sample for the partial report.
    timeoutMs: interrupted ? 0 : cfg.timeoutS * 1000,
    // No jobs (idle): watch the workers for the whole --timeout.
    minDurationMs: cfg.scenario.jobs === 0 && !interrupted ? cfg.timeoutS * 1000 : 0,
    lostAfterMs: cfg.lostAfterS * 1000,
    signal: deps.signal,
    elapsed: () => now() - enqueue.startedAtMs,
    onSample: (s) => deps.onSample?.(s, enqueue.enqueued.length),
  });
}

function reportPhase(
  cfg: RunConfig,
  p: Plan,
  enqueue: EnqueueResult,
  observation: Observation | undefined,
  interrupted: boolean,
): RunResult {
  const report = buildReport({
    scenario: cfg.scenario.name,
    frappeVersion: p.version,
    benchId: p.benchId,
    queues: [p.queue],
    loadTenant: cfg.scenario.multiTenant ? p.main?.tenant : undefined,
    enqueue,
    observation,
    workers: p.targets.flatMap((t) => t.workers),
    prices: cfg.prices,
  });
  const expect = {
    ...cfg.expect,
    stayAtMinimum: cfg.expect.stayAtMinimum ?? cfg.scenario.stayAtMinimum,
  };
  const failures = interrupted || !cfg.wait ? [] : checkExpectations(report, expect);
  return { report, failures, interrupted: interrupted || observation?.endedBy === "interrupted" };
}

export async function runLoadtest(cfg: RunConfig, deps: RunDeps = {}): Promise<RunResult> {
  const p = await plan(cfg, deps.cluster);
  const redis = await connect(cfg, p.main);
  try {
    const enqueue = await enqueuePhase(redis, cfg, p, deps);
    const interrupted = enqueue.interrupted || (deps.signal?.aborted ?? false);
    const observation = cfg.wait || interrupted
      ? await observePhase(redis, cfg, p, deps, enqueue, interrupted)
      : undefined;
    return reportPhase(cfg, p, enqueue, observation, interrupted);
  } catch (err) {
    if (!isRedisError(err)) throw err;
    throw classifyRedisError(err, { url: cfg.redisUrl ?? p.main?.redisUrl ?? "" });
  } finally {
    await redis.close();
  }
}
