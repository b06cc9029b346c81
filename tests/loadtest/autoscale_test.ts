/**
 * The cluster path of a load test against real Redis and real RQ workers:
 * a fake ClusterView whose "autoscaler" (a loop in this test, KEDA's rule:
 * desired = ceil(queue length / listLength), capped, back to the minimum after
 * a cooldown) starts and stops real `rq worker` processes. Two tenants; the
 * load goes to the first; the report must show the scale-up, the drain, the
 * return to minimum, no loss, and the second tenant untouched. The idle
 * scenario fails the run when any worker leaves its minimum.
 * Needs redis-server and the venvs of hack/python-env.sh (-A).
 */
import assert from "node:assert/strict";
import type { BenchTarget, ClusterView } from "../../loadtest/cluster.ts";
import { DEFAULT_PRICES } from "../../loadtest/report.ts";
import { runLoadtest } from "../../loadtest/run.ts";
import { SCENARIOS } from "../../loadtest/scenarios.ts";
import { type RedisServer, startRedis, startWorker, type Worker } from "./support.ts";

const MAX = 3;
const LIST_LENGTH = 4;

class FakeTenant {
  workers: Worker[] = [];
  desired = 0;
  idleSince = 0;
  constructor(readonly name: string, readonly server: RedisServer, readonly log: string) {}

  get deployment() {
    return `${this.name}-worker-short`;
  }

  target(): BenchTarget {
    return {
      tenant: `shop/${this.name}`,
      benchId: `shop.${this.name}`,
      redisUrl: this.server.url,
      site: `${this.name}.local`,
      frappeVersion: 16,
      queueTimeouts: {},
      workers: [{
        tenant: `shop/${this.name}`,
        deployment: this.deployment,
        type: "short",
        cpu: 0.5,
        memoryGiB: 1,
        minReplicas: 0,
        maxReplicas: MAX,
      }],
    };
  }

  /** One autoscaler step: KEDA's rule on LLEN, a running-jobs trigger, 1 s cooldown. */
  async step(): Promise<void> {
    const queue = `shop.${this.name}:short`;
    const waiting = Number(await this.server.cli("LLEN", `rq:queue:${queue}`));
    const running = Number(await this.server.cli("ZCARD", `rq:wip:${queue}`));
    const want = Math.min(MAX, Math.ceil(waiting / LIST_LENGTH));
    if (waiting + running > 0) this.idleSince = Date.now();
    if (want > this.desired) this.desired = want;
    else if (waiting + running === 0 && Date.now() - this.idleSince > 1000) this.desired = 0;
    while (this.workers.length < this.desired) {
      this.workers.push(await startWorker("2.6.1", this.server.url, [queue], { log: this.log }));
    }
    while (this.workers.length > this.desired) await this.workers.pop()!.stopWarm();
  }
}

Deno.test("autoscale: scale-up, drain, back to minimum, no loss, other tenant untouched", async () => {
  const log = await Deno.makeTempFile({ prefix: "standin-", suffix: ".jsonl" });
  const tenants = [
    new FakeTenant("a", await startRedis(), log),
    new FakeTenant("b", await startRedis(), log),
  ];
  const byName = (ns: string, name: string) => {
    const t = tenants.find((t) => `${ns}/${t.name}` === `shop/${name}`);
    if (!t) throw new Error(`no tenant ${ns}/${name}`);
    return t;
  };
  const cluster: ClusterView = {
    benchTarget: (ns, name) => Promise.resolve(byName(ns, name).target()),
    workerReplicas: (ns, name) => {
      const t = byName(ns, name);
      return Promise.resolve({ [t.deployment]: t.desired });
    },
  };
  let running = true;
  const autoscaler = (async () => {
    while (running) {
      for (const t of tenants) await t.step();
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  try {
    const result = await runLoadtest({
      scenario: { ...SCENARIOS["multi-tenant"], jobs: 12, jobSeconds: 0.5 },
      tenants: ["shop/a", "shop/b"],
      wait: true,
      timeoutS: 90,
      intervalS: 0.25,
      lostAfterS: 90,
      prices: DEFAULT_PRICES,
      expect: { noLoss: true, maxReplicas: MAX, scaleUpWithinS: 10, scaleDownWithinS: 30 },
    }, { cluster });
    const r = result.report;
    assert.deepEqual(result.failures, [], JSON.stringify(r, null, 2));
    assert.equal(r.endedBy, "done");
    assert.equal(r.jobs.finished, 12);
    assert.equal(r.workers.find((w) => w.tenant === "shop/a")?.peakReplicas, MAX);
    assert.equal(r.workers.find((w) => w.tenant === "shop/b")?.peakReplicas, 0);
    assert.equal(r.otherTenantsStayedAtMin, true);
    const t = r.timings;
    assert.ok(t.firstScaleUpSeconds! <= t.peakReplicasSeconds!);
    assert.ok(t.peakReplicasSeconds! <= t.drainSeconds!);
    assert.ok(t.drainSeconds! < t.backToMinSeconds!);
    assert.ok(r.workers[0].replicaSeconds > 0);
    assert.ok(r.cost.autoscaled > 0 && r.cost.autoscaled < r.cost.alwaysOnPeak.cost);
    assert.ok(r.cost.alwaysOnOneReplica.cost < r.cost.alwaysOnPeak.cost);
  } finally {
    running = false;
    await autoscaler;
    for (const t of tenants) {
      await Promise.all(t.workers.map((w) => w.stop()));
      await t.server.stop();
    }
    await Deno.remove(log);
  }
});

Deno.test("autoscale: idle holds every worker at its minimum; one that moves fails the run", async () => {
  const server = await startRedis();
  const workers = ["short", "long", "default"].map((type) => ({
    tenant: "shop/erp",
    deployment: `erp-worker-${type}`,
    type,
    cpu: 0.5,
    memoryGiB: 1,
    minReplicas: type === "default" ? 1 : 0,
    maxReplicas: type === "default" ? 1 : MAX,
  }));
  const run = async (short: () => number) => {
    const cluster: ClusterView = {
      benchTarget: () =>
        Promise.resolve({
          tenant: "shop/erp",
          benchId: "shop.erp",
          redisUrl: server.url,
          site: "erp.local",
          queueTimeouts: {},
          workers,
        }),
      workerReplicas: () =>
        Promise.resolve({
          "erp-worker-short": short(),
          "erp-worker-long": 0,
          "erp-worker-default": 1,
        }),
    };
    return await runLoadtest({
      scenario: SCENARIOS.idle,
      tenants: ["shop/erp"],
      wait: true,
      timeoutS: 1,
      intervalS: 0.2,
      lostAfterS: 90,
      prices: DEFAULT_PRICES,
      expect: {},
    }, { cluster });
  };
  try {
    const quiet = await run(() => 0);
    assert.equal(quiet.report.endedBy, "done");
    assert.deepEqual(quiet.failures, []);
    let reads = 0;
    const blip = await run(() => (++reads === 3 ? 1 : 0));
    assert.deepEqual(blip.failures, [
      "--scenario idle: every worker stays at its minimum; " +
      "shop/erp erp-worker-short peaked at 1 (minimum 0)",
    ]);
  } finally {
    await server.stop();
  }
});
