/**
 * Scaling benchmark on the local cluster (control plane + real KEDA + the
 * node agent's real RQ workers and Redis). One run, three scenarios, each in
 * a fresh namespace with render's objects for one bench (tests/e2e/handwritten.ts):
 *
 *   bulk-email  50 x 2 s jobs on short  (short: queueLength 5, max 10)
 *   rapid      100 x 1 s jobs on short  (short: queueLength 5, max 10)
 *   export       1 x 60 s job on long    (long: queueLength 1, max 5)
 *
 * Measured per scenario (desired replicas sampled every 1 s from the API):
 * enqueue -> first replica (decision latency) and -> first job started;
 * enqueue -> maxReplicas; last job finished -> back to 0 (vs the cooldown);
 * jobs lost (enqueued - finished); worker replica-seconds from enqueue until
 * back at 0, vs always-on (1 replica, and maxReplicas, over the same window).
 *
 *   deno run -A bench/scaling.ts [--json .local/bench/scaling.json]
 */
import {
  connectBench,
  enqueueSleeps,
  jobField,
  jobOutcomes,
  queueCounts,
} from "../tests/e2e/bench.ts";
import { applyObjects, handwrittenObjects } from "../tests/e2e/handwritten.ts";
import { ensureStack, sleep } from "../tests/e2e/stack.ts";
import { Timeline } from "../tests/e2e/timeline.ts";
import { eventually, kubectl, kubectlOk } from "../tests/support/cluster.ts";

interface Scenario {
  name: string;
  queue: "short" | "long";
  jobs: number;
  seconds: number;
  queueLength: number;
  maxReplicas: number;
}

const POLLING = 2;
const COOLDOWN = 20;
const SCENARIOS: Scenario[] = [
  { name: "bulk-email", queue: "short", jobs: 50, seconds: 2, queueLength: 5, maxReplicas: 10 },
  { name: "rapid", queue: "short", jobs: 100, seconds: 1, queueLength: 5, maxReplicas: 10 },
  { name: "export", queue: "long", jobs: 1, seconds: 60, queueLength: 1, maxReplicas: 5 },
];

export interface Result {
  scenario: string;
  jobs: number;
  jobSeconds: number;
  maxReplicas: number;
  pollingInterval: number;
  cooldownPeriod: number;
  firstReplicaS: number | null;
  firstJobStartedS: number | null;
  toMaxReplicasS: number | null;
  peakReplicas: number;
  drainS: number;
  backToZeroAfterDrainS: number | null;
  jobsLost: number;
  workers: number;
  replicaSeconds: number;
  alwaysOn1ReplicaSeconds: number;
  alwaysOnMaxReplicaSeconds: number;
  timeline: string[];
}

async function firstStart(
  b: Awaited<ReturnType<typeof connectBench>>,
  ids: string[],
): Promise<number | undefined> {
  const starts = await Promise.all(ids.map((id) => jobField(b, id, "started_at")));
  const ms = starts.filter((s): s is string => !!s).map((s) =>
    Date.parse(s.replace(/(\.\d{3})\d*Z$/, "$1Z"))
  );
  return ms.length ? Math.min(...ms) : undefined;
}

export async function runScenario(s: Scenario): Promise<Result> {
  const ns = `bench-${s.name}-${crypto.randomUUID().slice(0, 6)}`;
  await kubectlOk(["create", "namespace", ns]);
  const fd = "b";
  const other = s.queue === "short" ? "long" : "short";
  try {
    await applyObjects(handwrittenObjects(ns, fd, {
      workers: {
        [s.queue]: {
          autoscaling: {
            enabled: true,
            pollingInterval: POLLING,
            cooldownPeriod: COOLDOWN,
            queueLength: s.queueLength,
            maxReplicas: s.maxReplicas,
          },
        },
        [other]: { replicas: 0 },
        default: { replicas: 0 },
      },
    }));
    const deploy = `${fd}-worker-${s.queue}`;
    const tl = new Timeline(ns, deploy);
    const bench = await eventually("the tenant's Redis", () => connectBench(ns, fd), 180_000, 1000);
    try {
      await eventually(
        "worker at 0 before the load",
        () => Promise.resolve(tl.samples.at(-1)?.desired === 0 || undefined),
        120_000,
      );
      await sleep(3000);
      const t0 = Date.now();
      const ids = await enqueueSleeps(bench, s.queue, s.jobs, s.seconds);
      const drained = await eventually(
        "all jobs done",
        async () => {
          const c = await queueCounts(bench, s.queue);
          return c.waiting === 0 && c.running === 0 && c.finished >= s.jobs
            ? Date.now()
            : undefined;
        },
        600_000,
        500,
      ).catch(() => Date.now());
      const zero = await eventually(
        "back to 0",
        () => {
          const last = tl.samples.at(-1);
          return Promise.resolve(
            last && last.t > drained && last.desired === 0 ? last.t : undefined,
          );
        },
        300_000,
        500,
      ).catch(() => undefined);
      await tl.stop();
      const outcomes = await jobOutcomes(bench, ids);
      const started = await firstStart(bench, ids);
      const up = tl.firstAt((x) => x.desired >= 1, t0);
      const max = tl.firstAt((x) => x.desired >= s.maxReplicas, t0);
      const end = zero ?? Date.now();
      const secs = (a: number | undefined, b = t0) =>
        a === undefined ? null : Math.round((a - b) / 100) / 10;
      return {
        scenario: s.name,
        jobs: s.jobs,
        jobSeconds: s.seconds,
        maxReplicas: s.maxReplicas,
        pollingInterval: POLLING,
        cooldownPeriod: COOLDOWN,
        firstReplicaS: secs(up),
        firstJobStartedS: secs(started),
        toMaxReplicasS: secs(max),
        peakReplicas: tl.max,
        drainS: secs(drained)!,
        backToZeroAfterDrainS: secs(zero, drained),
        jobsLost: outcomes.filter((o) => o.status !== "finished").length,
        workers: new Set(outcomes.map((o) => o.worker).filter((w) => w)).size,
        replicaSeconds: Math.round(tl.replicaSeconds(t0, end)),
        alwaysOn1ReplicaSeconds: Math.round((end - t0) / 1000),
        alwaysOnMaxReplicaSeconds: Math.round(s.maxReplicas * (end - t0) / 1000),
        timeline: tl.changes(t0),
      };
    } finally {
      await tl.stop();
      bench.redis.disconnect();
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
  const results: Result[] = [];
  for (const s of SCENARIOS.filter((x) => !only || x.name === only)) {
    console.error(`scenario ${s.name}: ${s.jobs} x ${s.seconds} s on ${s.queue}`);
    const r = await runScenario(s);
    console.error(JSON.stringify(r));
    results.push(r);
  }
  await Deno.mkdir(jsonFile.replace(/\/[^/]*$/, ""), { recursive: true });
  await Deno.writeTextFile(
    jsonFile,
    JSON.stringify({ at: new Date().toISOString(), results }, null, 2) + "\n",
  );
  console.log(JSON.stringify(results, null, 2));
  Deno.exit(0);
}
