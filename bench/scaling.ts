/**
 * Scaling benchmark on the local cluster, everything real but containers:
 * control plane, KEDA, the operator (bin/frappe-op run from source), the test
 * node agent's RQ workers and Redis (tests/e2e/stack.ts). One run, every
 * `frappe-op loadtest` scenario (loadtest/scenarios.ts: the same queues, job
 * counts, lengths, calls and ids), each in a fresh namespace with
 * FrappeDeployments applied as a user would:
 *
 *   idle          nothing queued: short and long autoscaled, watched for IDLE_WINDOW_S
 *   bulk-email     50 x test_job(2 s) on short
 *   rapid         100 x test_job(1 s) on short
 *   export          1 x test_job(120 s) on long
 *   daily-report    1 x run_scheduled_job on long: the scheduler's call and job id, for a
 *                  job type no bench has, so the worker finishes it in milliseconds
 *   multi-tenant  bulk-email's load on the first of 3 benches; the others are watched
 *
 * Worker settings (--settings):
 *
 *   fast      (default) what the e2e tests use: pollingInterval 2 s, cooldownPeriod 20 s;
 *             short queueLength 5, maxReplicas 10; long queueLength 1, maxReplicas 5
 *   defaults  `autoscaling: {enabled: true}` and nothing else: the operator's defaults
 *             (apis/workers.ts: pollingInterval 15 s, cooldownPeriod 60 s short / 120 s
 *             long, the same queueLength and maxReplicas as above)
 *
 * Both record the values the rendered ScaledObject has. The HPA's sync period is
 * kube-controller-manager's, fixed when the cluster starts (HPA_SYNC_PERIOD for
 * hack/cluster-up.sh; 15 s by default, 5 s in the e2e tests); the bench reads
 * it from the running process and writes it with the results.
 *
 * Measured (desired replicas sampled every 1 s from the API): enqueue -> first
 * replica (decision latency) and -> first job started; -> maxReplicas; last
 * job finished -> back to 0 (vs the cooldown); jobs lost (enqueued - finished);
 * replica-seconds of every autoscaled worker watched, from enqueue until the
 * loaded one is back at 0, vs always-on (1 replica each, and the loaded one at
 * maxReplicas) over the same window.
 *
 * Enqueue phase (--phase): `fixed` (default), 3 s after the watched workers are
 * seen at 0, which falls at about the same point of KEDA's polling cycle every
 * time; `after-poll`, just after a KEDA poll of the bench's Redis was seen (its
 * EVAL count rises), so the 0 -> 1 decision waits a whole pollingInterval: the
 * worst case.
 *
 *   deno run -A bench/scaling.ts [--settings fast|defaults] [--phase fixed|after-poll]
 *     [--json FILE] [scenario...]
 */
import { buildJobs } from "../loadtest/rqjob.ts";
import { enqueueJobs } from "../loadtest/enqueue.ts";
import { jobSpecs, type Scenario, SCENARIOS } from "../loadtest/scenarios.ts";
import { type BenchConn, jobField, jobOutcomes, queueCounts } from "../tests/e2e/bench.ts";
import { applyFd, autoscaled, waitBench } from "../tests/e2e/fd.ts";
import { ensureStack, kube, sleep } from "../tests/e2e/stack.ts";
import { Timeline } from "../tests/e2e/timeline.ts";
import { eventually, kubectl, kubectlOk } from "../tests/support/cluster.ts";
import { clusterFacts } from "./scaling_env.ts";

/** `fast`: the e2e tests' short intervals; `defaults`: the operator's own (apis/workers.ts). */
export type Settings = "fast" | "defaults";
/**
 * When the jobs are enqueued: `fixed`, 3 s after every watched worker is seen at 0
 * (which lands at about the same point of KEDA's polling cycle in every scenario,
 * as the bench is rolled out the same way each time); `after-poll`, right after a
 * KEDA poll of the loaded bench's Redis was seen, the worst case for the 0 -> 1
 * decision (a whole pollingInterval).
 */
export type Phase = "fixed" | "after-poll";
const FAST = { pollingInterval: 2, cooldownPeriod: 20 };
const IDLE_WINDOW_S = 60;
const SHORT = { queueLength: 5, maxReplicas: 10 };
const LONG = { queueLength: 1, maxReplicas: 5 };

interface Plan {
  scenario: Scenario;
  /** Every bench gets the same workers; the load goes to the first one. */
  tenants: number;
  /** Autoscaled worker types (the others have 0 static replicas). */
  autoscaled: ("short" | "long")[];
}

const PLANS: Plan[] = [
  { scenario: SCENARIOS.idle, tenants: 1, autoscaled: ["short", "long"] },
  { scenario: SCENARIOS["bulk-email"], tenants: 1, autoscaled: ["short"] },
  { scenario: SCENARIOS.rapid, tenants: 1, autoscaled: ["short"] },
  { scenario: SCENARIOS.export, tenants: 1, autoscaled: ["long"] },
  { scenario: SCENARIOS["daily-report"], tenants: 1, autoscaled: ["long"] },
  { scenario: SCENARIOS["multi-tenant"], tenants: 3, autoscaled: ["short"] },
];

export interface Watched {
  deployment: string;
  peakReplicas: number;
  replicaSeconds: number;
}

export interface Result {
  scenario: string;
  /** What each job is, e.g. `test_job(2 s)` or `run_scheduled_job`. */
  job: string;
  queue: string;
  jobs: number;
  /** Seconds each test_job sleeps (0 for the scheduled job). */
  jobSeconds: number;
  tenants: number;
  settings: Settings;
  phase: Phase;
  /** after-poll: seconds from the KEDA poll seen to the enqueue. */
  enqueueAfterKedaPollS: number | null;
  queueLength: number;
  maxReplicas: number;
  pollingInterval: number;
  cooldownPeriod: number;
  /** FrappeDeployments applied -> ScaledObjects Ready and the queue Redis reachable. */
  benchReadyS: number;
  firstReplicaS: number | null;
  firstJobStartedS: number | null;
  toMaxReplicasS: number | null;
  peakReplicas: number;
  drainS: number | null;
  backToZeroAfterDrainS: number | null;
  jobsLost: number;
  workersUsed: number;
  windowS: number;
  replicaSeconds: number;
  alwaysOnReplicaSeconds: number;
  alwaysOnMaxReplicaSeconds: number;
  watched: Watched[];
  timeline: string[];
}

const limits = (queue: string) => queue === "long" ? LONG : SHORT;

/** What one job of a scenario is. */
export function jobLabel(s: Scenario): string {
  if (s.jobs === 0) return "nothing";
  return s.call === "scheduled_job" ? "run_scheduled_job" : `test_job(${s.jobSeconds} s)`;
}

function fdSpec(p: Plan, settings: Settings): Record<string, unknown> {
  const worker = (type: "short" | "long") =>
    !p.autoscaled.includes(type)
      ? { replicas: 0 }
      : settings === "defaults"
      ? { autoscaling: { enabled: true } }
      : autoscaled({ ...limits(type), ...FAST });
  return { workers: { short: worker("short"), long: worker("long"), default: { replicas: 0 } } };
}

/** The settings the operator rendered into a worker's ScaledObject. */
async function renderedScaling(ns: string, name: string, type: string) {
  const so = await (await kube()).get({
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    namespace: ns,
    name: `${name}-worker-${type}`,
  });
  // deno-lint-ignore no-explicit-any
  const spec = so?.spec as any;
  if (!spec) throw new Error(`no ScaledObject ${ns}/${name}-worker-${type}`);
  return {
    pollingInterval: Number(spec.pollingInterval),
    cooldownPeriod: Number(spec.cooldownPeriod),
    maxReplicas: Number(spec.maxReplicaCount),
    queueLength: Number(spec.triggers?.[0]?.metadata?.listLength),
  };
}

async function enqueue(b: BenchConn, site: string, s: Scenario): Promise<string[]> {
  const version = 15;
  const specs = jobSpecs({ site, version, ...s });
  return (await enqueueJobs(b.redis, buildJobs(version, b.benchId, specs, new Date()))).enqueued;
}

async function firstStart(b: BenchConn, ids: string[]): Promise<number | undefined> {
  const starts = await Promise.all(ids.map((id) => jobField(b, id, "started_at")));
  const ms = starts.filter((s): s is string => !!s).map((s) =>
    Date.parse(s.replace(/(\.\d{3})\d*Z$/, "$1Z"))
  );
  return ms.length ? Math.min(...ms) : undefined;
}

/** Until the queue and rq:wip are empty and every job is finished; the time it was seen. */
function drained(b: BenchConn, s: Scenario): Promise<number> {
  return eventually(
    "all jobs done",
    async () => {
      const c = await queueCounts(b, s.queue);
      return c.waiting === 0 && c.running === 0 && c.finished >= s.jobs ? Date.now() : undefined;
    },
    600_000,
    500,
  );
}

function backToZero(tl: Timeline, after: number): Promise<number | undefined> {
  return eventually(
    "back to 0",
    () => {
      const last = tl.samples.at(-1);
      return Promise.resolve(last && last.t > after && last.desired === 0 ? last.t : undefined);
    },
    300_000,
    500,
  ).catch(() => undefined);
}

/** Calls of EVAL on a Redis: KEDA's redis scaler runs one Lua script per trigger and poll. */
async function evalCalls(b: BenchConn): Promise<number> {
  const info = await b.redis.call("INFO", "commandstats") as string;
  return Number(/cmdstat_eval:calls=(\d+)/.exec(info)?.[1] ?? 0);
}

/**
 * Waits for KEDA's next poll of this bench (its EVAL count goes up; nothing else
 * here runs EVAL: the operator's queue observer uses LLEN/ZCARD, the enqueue
 * MULTI/EXEC) and returns when it was seen (checked every 50 ms).
 */
async function nextKedaPoll(b: BenchConn, timeoutMs: number): Promise<number> {
  const before = await evalCalls(b);
  return await eventually(
    "a KEDA poll",
    async () => (await evalCalls(b)) > before ? Date.now() : undefined,
    timeoutMs,
    50,
  );
}

export async function runPlan(p: Plan, settings: Settings, phase: Phase): Promise<Result> {
  const s = p.scenario;
  const ns = `bench-${s.name}-${crypto.randomUUID().slice(0, 6)}`;
  const names = Array.from({ length: p.tenants }, (_, i) => `t${i + 1}`);
  await kubectlOk(["create", "namespace", ns]);
  try {
    const applied = Date.now();
    for (const name of names) await applyFd(ns, name, fdSpec(p, settings));
    const benches = await Promise.all(names.map((n) => waitBench(ns, n, p.autoscaled)));
    const benchReady = Date.now();
    const rendered = await renderedScaling(ns, "t1", s.queue);
    const timelines = names.flatMap((n) =>
      p.autoscaled.map((type) => new Timeline(ns, `${n}-worker-${type}`))
    );
    const loaded = timelines.find((t) => t.deployment === `t1-worker-${s.queue}`)!;
    try {
      await eventually(
        "every watched worker at 0 before the load",
        () => Promise.resolve(timelines.every((t) => t.samples.at(-1)?.desired === 0) || undefined),
        120_000,
      );
      await sleep(3000);
      const polled = phase === "after-poll"
        ? await nextKedaPoll(benches[0], (rendered.pollingInterval + 30) * 1000)
        : undefined;
      const t0 = Date.now();
      const ids = await enqueue(benches[0], `t1.e2e.local`, s);
      let drainedAt: number | undefined, zero: number | undefined;
      if (s.jobs > 0) {
        drainedAt = await drained(benches[0], s).catch(() => Date.now());
        zero = await backToZero(loaded, drainedAt);
      } else {
        await sleep(IDLE_WINDOW_S * 1000);
      }
      const end = zero ?? Date.now();
      await Promise.all(timelines.map((t) => t.stop()));
      const outcomes = await jobOutcomes(benches[0], ids);
      const secs = (a: number | undefined, b = t0) =>
        a === undefined ? null : Math.round((a - b) / 100) / 10;
      const watched = timelines.map((t) => ({
        deployment: t.deployment,
        peakReplicas: t.max,
        replicaSeconds: Math.round(t.replicaSeconds(t0, end)),
      }));
      const windowS = (end - t0) / 1000;
      const { maxReplicas, queueLength, pollingInterval, cooldownPeriod } = rendered;
      return {
        scenario: s.name,
        job: jobLabel(s),
        queue: s.queue,
        jobs: s.jobs,
        jobSeconds: s.jobSeconds,
        tenants: p.tenants,
        settings,
        phase,
        enqueueAfterKedaPollS: polled === undefined ? null : secs(t0, polled),
        queueLength,
        maxReplicas,
        pollingInterval,
        cooldownPeriod,
        benchReadyS: secs(benchReady, applied)!,
        firstReplicaS: secs(loaded.firstAt((x) => x.desired >= 1, t0)),
        firstJobStartedS: secs(await firstStart(benches[0], ids)),
        toMaxReplicasS: secs(loaded.firstAt((x) => x.desired >= maxReplicas, t0)),
        peakReplicas: loaded.max,
        drainS: secs(drainedAt),
        backToZeroAfterDrainS: drainedAt === undefined ? null : secs(zero, drainedAt),
        jobsLost: outcomes.filter((o) => o.status !== "finished").length,
        workersUsed: new Set(outcomes.map((o) => o.worker).filter((w) => w)).size,
        windowS: Math.round(windowS),
        replicaSeconds: watched.reduce((a, w) => a + w.replicaSeconds, 0),
        alwaysOnReplicaSeconds: Math.round(timelines.length * windowS),
        alwaysOnMaxReplicaSeconds: Math.round((maxReplicas + timelines.length - 1) * windowS),
        watched,
        timeline: loaded.changes(t0),
      };
    } finally {
      await Promise.all(timelines.map((t) => t.stop()));
      benches.forEach((b) => b.redis.disconnect());
    }
  } finally {
    await kubectl(["delete", "namespace", ns, "--wait=false"]);
  }
}

function parseArgs(args: string[]) {
  let jsonFile = ".local/bench/scaling.json";
  let settings: Settings = "fast";
  let phase: Phase = "fixed";
  const only: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--json") jsonFile = args[++i];
    else if (a === "--settings") {
      const v = args[++i];
      if (v !== "fast" && v !== "defaults") throw new Error(`--settings fast|defaults, got ${v}`);
      settings = v;
    } else if (a === "--phase") {
      const v = args[++i];
      if (v !== "fixed" && v !== "after-poll") {
        throw new Error(`--phase fixed|after-poll, got ${v}`);
      }
      phase = v;
    } else if (a.startsWith("--")) throw new Error(`unknown flag ${a}`);
    else if (!PLANS.some((p) => p.scenario.name === a)) throw new Error(`unknown scenario ${a}`);
    else only.push(a);
  }
  return { jsonFile, settings, phase, only };
}

if (import.meta.main) {
  const { jsonFile, settings, phase, only } = parseArgs(Deno.args);
  await ensureStack();
  const before = await clusterFacts();
  const results: Result[] = [];
  for (const p of PLANS.filter((x) => only.length === 0 || only.includes(x.scenario.name))) {
    const s = p.scenario;
    console.error(
      `scenario ${s.name} (${settings}, ${phase}): ${s.jobs} x ${jobLabel(s)} on ${s.queue}`,
    );
    const r = await runPlan(p, settings, phase);
    console.error(JSON.stringify(r));
    results.push(r);
  }
  const after = await clusterFacts();
  await Deno.mkdir(jsonFile.replace(/\/[^/]*$/, ""), { recursive: true });
  const out = { at: new Date().toISOString(), settings, phase, before, after, results };
  await Deno.writeTextFile(jsonFile, JSON.stringify(out, null, 2) + "\n");
  console.log(JSON.stringify(out, null, 2));
  Deno.exit(0);
}
