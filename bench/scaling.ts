/**
 * Scaling benchmark on the local cluster, everything real but containers:
 * control plane, KEDA, the operator (bin/frappe-op run from source), the test
 * node agent's RQ workers and Redis (tests/e2e/stack.ts). One run, every
 * `frappe-op loadtest` scenario (loadtest/scenarios.ts: the same queues, job
 * counts, lengths, names and ids), each in a fresh namespace with
 * FrappeDeployments applied as a user would:
 *
 *   idle          nothing queued: short and long autoscaled, watched for IDLE_WINDOW_S
 *   bulk-email    50 x 2 s on short   (queueLength 5, max 10)
 *   rapid        100 x 1 s on short   (queueLength 5, max 10)
 *   export         1 x 120 s on long  (queueLength 1, max 5)
 *   daily-report   1 x 60 s on long, named and id'd as the scheduler enqueues it
 *   multi-tenant  bulk-email's load on the first of 3 benches; the others are watched
 *
 * Measured (desired replicas sampled every 1 s from the API): enqueue -> first
 * replica (decision latency) and -> first job started; -> maxReplicas; last
 * job finished -> back to 0 (vs the cooldown); jobs lost (enqueued - finished);
 * replica-seconds of every autoscaled worker watched, from enqueue until the
 * loaded one is back at 0, vs always-on (1 replica each, and the loaded one at
 * maxReplicas) over the same window.
 *
 *   deno run -A bench/scaling.ts [--json .local/bench/scaling.json] [scenario]
 */
import { buildJobs } from "../loadtest/rqjob.ts";
import { enqueueJobs } from "../loadtest/enqueue.ts";
import { jobSpecs, type Scenario, SCENARIOS } from "../loadtest/scenarios.ts";
import { type BenchConn, jobField, jobOutcomes, queueCounts } from "../tests/e2e/bench.ts";
import { applyFd, autoscaled, waitBench } from "../tests/e2e/fd.ts";
import { ensureStack, sleep } from "../tests/e2e/stack.ts";
import { Timeline } from "../tests/e2e/timeline.ts";
import { eventually, kubectl, kubectlOk } from "../tests/support/cluster.ts";
import { clusterFacts } from "./scaling_env.ts";

const POLLING = 2;
const COOLDOWN = 20;
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
  queue: string;
  jobs: number;
  jobSeconds: number;
  tenants: number;
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

function fdSpec(p: Plan): Record<string, unknown> {
  const worker = (type: "short" | "long") =>
    p.autoscaled.includes(type)
      ? autoscaled({ ...limits(type), pollingInterval: POLLING, cooldownPeriod: COOLDOWN })
      : { replicas: 0 };
  return { workers: { short: worker("short"), long: worker("long"), default: { replicas: 0 } } };
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

export async function runPlan(p: Plan): Promise<Result> {
  const s = p.scenario;
  const ns = `bench-${s.name}-${crypto.randomUUID().slice(0, 6)}`;
  const names = Array.from({ length: p.tenants }, (_, i) => `t${i + 1}`);
  await kubectlOk(["create", "namespace", ns]);
  try {
    const applied = Date.now();
    for (const name of names) await applyFd(ns, name, fdSpec(p));
    const benches = await Promise.all(names.map((n) => waitBench(ns, n, p.autoscaled)));
    const benchReady = Date.now();
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
      const { maxReplicas, queueLength } = limits(s.queue);
      return {
        scenario: s.name,
        queue: s.queue,
        jobs: s.jobs,
        jobSeconds: s.jobSeconds,
        tenants: p.tenants,
        queueLength,
        maxReplicas,
        pollingInterval: POLLING,
        cooldownPeriod: COOLDOWN,
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

if (import.meta.main) {
  const jsonAt = Deno.args.indexOf("--json");
  const jsonFile = jsonAt >= 0 ? Deno.args[jsonAt + 1] : ".local/bench/scaling.json";
  const only = Deno.args.find((a) => !a.startsWith("--") && a !== jsonFile);
  await ensureStack();
  const before = await clusterFacts();
  const results: Result[] = [];
  for (const p of PLANS.filter((x) => !only || x.scenario.name === only)) {
    const s = p.scenario;
    console.error(`scenario ${s.name}: ${s.jobs} x ${s.jobSeconds} s on ${s.queue}`);
    const r = await runPlan(p);
    console.error(JSON.stringify(r));
    results.push(r);
  }
  const after = await clusterFacts();
  await Deno.mkdir(jsonFile.replace(/\/[^/]*$/, ""), { recursive: true });
  const out = { at: new Date().toISOString(), before, after, results };
  await Deno.writeTextFile(jsonFile, JSON.stringify(out, null, 2) + "\n");
  console.log(JSON.stringify(out, null, 2));
  Deno.exit(0);
}
