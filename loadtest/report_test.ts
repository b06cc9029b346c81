import assert from "node:assert/strict";
import { checkExpectations } from "./expect.ts";
import { type JobState, zeroCounts } from "./jobstate.ts";
import type { Sample } from "./observer.ts";
import { buildReport, type ReportInput } from "./report.ts";
import { formatReport } from "./format.ts";

const jobs = (c: Partial<Record<JobState, number>>): Record<JobState, number> => ({
  ...zeroCounts(),
  ...c,
});

/** t (s), queued jobs, finished jobs, replicas of shop/a's short worker and of shop/b's. */
function sample(t: number, queued: number, finished: number, a: number, b = 0): Sample {
  return {
    tMs: t * 1000,
    queued,
    running: 0,
    finishedRegistry: finished,
    failedRegistry: 0,
    jobs: jobs({ queued, finished }),
    replicas: { "shop/a": { "a-worker-short": a }, "shop/b": { "b-worker-short": b } },
  };
}

function input(samples: Sample[]): ReportInput {
  return {
    scenario: "multi-tenant",
    frappeVersion: 15,
    benchId: "shop.a",
    queues: ["short"],
    loadTenant: "shop/a",
    enqueue: {
      enqueued: Array.from({ length: 10 }, (_, i) => `j${i}`),
      startedAtMs: 0,
      endedAtMs: 50,
      interrupted: false,
    },
    observation: { samples, states: new Map(), endedBy: "done" },
    workers: [
      {
        tenant: "shop/a",
        deployment: "a-worker-short",
        type: "short",
        cpu: 0.5,
        memoryGiB: 1,
        minReplicas: 0,
        maxReplicas: 10,
      },
      {
        tenant: "shop/b",
        deployment: "b-worker-short",
        type: "short",
        cpu: 0.5,
        memoryGiB: 1,
        minReplicas: 0,
      },
    ],
    prices: { vcpuHour: 0.04, gibHour: 0.005 },
  };
}

// 0 s: 10 queued, 0 replicas; 30 s: 2 replicas; 60 s: 4 (peak); 120 s: drained; 300 s: back to 0.
const RUN = [
  sample(0, 10, 0, 0),
  sample(30, 8, 2, 2),
  sample(60, 4, 6, 4),
  sample(120, 0, 10, 4),
  sample(300, 0, 10, 0),
];

Deno.test("report: timings, peaks, replica-seconds and cost", () => {
  const r = buildReport(input(RUN));
  assert.equal(r.timings.firstScaleUpSeconds, 30);
  assert.equal(r.timings.peakReplicasSeconds, 60);
  assert.equal(r.timings.drainSeconds, 120);
  assert.equal(r.timings.backToMinSeconds, 300);
  assert.equal(r.timings.enqueueRate, 200);
  const a = r.workers[0];
  assert.equal(a.peakReplicas, 4);
  // 0*30 + 2*30 + 4*60 + 4*180 = 1020 replica-seconds
  assert.equal(a.replicaSeconds, 1020);
  // per replica-hour: 0.5*0.04 + 1*0.005 = 0.025 $; 1020 s -> 0.007083 $
  assert.equal(a.cost, 0.007083);
  // always on at 1 replica for the 300 s window: 300/3600 * 0.025
  assert.equal(a.alwaysOnOneReplicaCost, 0.002083);
  // always on at maxReplicas 10 for the 300 s window: 10 * 300/3600 * 0.025
  assert.equal(a.alwaysOnPeakBasis, "maxReplicas");
  assert.equal(a.alwaysOnPeakCost, 0.020833);
  assert.equal(r.workers[1].alwaysOnPeakBasis, "peak");
  assert.equal(r.workers[1].alwaysOnPeakCost, 0);
  // A static worker (no ScaledObject) has no maxReplicas: its replicas are the basis.
  const fixed = input(RUN);
  fixed.workers[0] = { ...fixed.workers[0], maxReplicas: 1, autoscaled: false };
  const s = buildReport(fixed).workers[0];
  assert.deepEqual([s.alwaysOnPeakReplicas, s.alwaysOnPeakBasis], [1, "static"]);
  assert.match(formatReport(buildReport(fixed)), /^shop\/a +a-worker-short .* 1 \(static\) /m);
  // Two workers at 1 replica (the sum of the rounded rows); the burst cost more, far less than peak.
  assert.deepEqual(r.cost.alwaysOnOneReplica, { cost: 0.004166, savedPercent: -70 });
  assert.deepEqual(r.cost.alwaysOnPeak, { cost: 0.020833, savedPercent: 66 });
  assert.equal(r.otherTenantsStayedAtMin, true);
  assert.deepEqual(r.jobs, {
    enqueued: 10,
    finished: 10,
    failed: 0,
    lost: 0,
    gone: 0,
    stillQueued: 0,
    stillRunning: 0,
    missing: 0,
  });
  const text = formatReport(r);
  assert.match(text, /back to minimum:\s+300s/);
  // Said once: every time below the enqueue line is measured from the first enqueue.
  assert.match(text, /^enqueue: .*\ntimes from the first enqueue:\nfirst scale-up: +30s$/m);
  // Labels say what they are: the time of the observed peak, the integral of desired replicas.
  assert.match(text, /^peak replicas at: +60s$/m);
  assert.doesNotMatch(text, /max replicas at/);
  assert.match(text, /^tenant +worker +min +peak +desired replica-s +cost \$/m);
  assert.match(text, /^shop\/a +a-worker-short +0 +4 +1020 +0\.007083/m);
  assert.match(
    text,
    /^replicas: spec\.replicas, what KEDA\/the HPA asked for \(desired\), not running pods$/m,
  );
  assert.match(
    text,
    /1 replica per worker \(a bench without autoscaling\): \$0\.004166 \(autoscaled cost 70% more\)/,
  );
  assert.match(text, /at peak \(maxReplicas, else the observed peak\): +\$0\.020833 \(66% saved\)/);
});

Deno.test("expectations: each failure names its flag", () => {
  const moved = RUN.map((s, i) => i === 2 ? sample(60, 4, 6, 4, 1) : s);
  const r = buildReport(input(moved));
  const failures = checkExpectations(r, {
    maxReplicas: 3,
    maxReplicasByType: { short: 2, pdf: 1 },
    scaleUpWithinS: 10,
    scaleDownWithinS: 60,
    noLoss: true,
    stayAtMinimum: "others",
  });
  assert.deepEqual(failures, [
    "--expect-max-replicas 3: a-worker-short reached 4 replicas",
    "--expect-max-replicas short=2: a-worker-short reached 4 replicas",
    "--expect-max-replicas pdf=1: no pdf worker was observed",
    "--expect-scale-up-within 10: first scale-up after 30s",
    "--expect-scale-down-within 60: back to minimum 180.0s after the queue drained",
    "--scenario multi-tenant: the other tenants stay at their minimum; " +
    "shop/b b-worker-short peaked at 1 (minimum 0)",
  ]);
  assert.deepEqual(
    checkExpectations(buildReport(input(RUN)), {
      maxReplicas: 4,
      maxReplicasByType: { short: 4 },
      scaleUpWithinS: 30,
      noLoss: true,
      stayAtMinimum: "others",
    }),
    [],
  );
});

/** An idle bench: short and long autoscaled from 0, default static at 1; short moves when `blip`. */
function idle(blip: boolean): ReportInput {
  const worker = (type: string, min: number) => ({
    tenant: "shop/erp",
    deployment: `erp-worker-${type}`,
    type,
    cpu: 0.5,
    memoryGiB: 1,
    minReplicas: min,
    maxReplicas: min || 10,
  });
  const at = (t: number, short: number): Sample => ({
    ...sample(t, 0, 0, 0),
    replicas: {
      "shop/erp": { "erp-worker-short": short, "erp-worker-long": 0, "erp-worker-default": 1 },
    },
  });
  return {
    ...input([at(0, 0), at(30, blip ? 1 : 0), at(60, 0)]),
    scenario: "idle",
    loadTenant: undefined,
    enqueue: { enqueued: [], startedAtMs: 0, endedAtMs: 0, interrupted: false },
    workers: [worker("short", 0), worker("long", 0), worker("default", 1)],
  };
}

Deno.test("expectations: idle passes with default at its 1 replica, fails when a worker moves", () => {
  assert.deepEqual(checkExpectations(buildReport(idle(false)), { stayAtMinimum: "all" }), []);
  assert.deepEqual(checkExpectations(buildReport(idle(true)), { stayAtMinimum: "all" }), [
    "--scenario idle: every worker stays at its minimum; " +
    "shop/erp erp-worker-short peaked at 1 (minimum 0)",
  ]);
  // Why "--expect-max-replicas 0" is the wrong check for idle: the static default worker is at 1.
  assert.deepEqual(checkExpectations(buildReport(idle(false)), { maxReplicas: 0 }), [
    "--expect-max-replicas 0: erp-worker-default reached 1 replica",
  ]);
  const perType = { maxReplicasByType: { short: 0, long: 0 } };
  assert.deepEqual(checkExpectations(buildReport(idle(false)), perType), []);
  assert.deepEqual(
    checkExpectations({ ...buildReport(idle(false)), workers: [] }, { stayAtMinimum: "all" }),
    ["--scenario idle: every worker stays at its minimum, but no worker was observed"],
  );
});

Deno.test("report: jobs still open at the end are not drained, and missing counts lost + gone", () => {
  const last = {
    ...sample(60, 2, 5, 1),
    jobs: jobs({ queued: 2, started: 1, finished: 5, lost: 1, missing: 1 }),
  };
  const r = buildReport(input([sample(0, 10, 0, 0), last]));
  assert.equal(r.timings.drainSeconds, undefined);
  assert.equal(r.jobs.missing, 2);
  assert.equal(r.jobs.stillRunning, 1);
  assert.match(checkExpectations(r, { noLoss: true })[0], /5 of 10 jobs did not finish/);
});
