/**
 * The infrastructure alone (no operator): render's objects applied by hand,
 * real KEDA + the HPA controller + the node agent's real RQ workers and
 * redis-server (with requirepass). 10 short jobs: the short worker goes
 * 0 -> 1 (KEDA) -> N (HPA, external metrics) and back to 0 after cooldown.
 */
import assert from "node:assert";
import { eventually, withNamespace } from "../support/cluster.ts";
import { connectBench, enqueueSleeps, jobOutcomes, queueCounts } from "./bench.ts";
import { applyObjects, handwrittenObjects } from "./handwritten.ts";
import { ensureStack, kube } from "./stack.ts";
import { Timeline } from "./timeline.ts";

const COOLDOWN = 15;

Deno.test({
  name: "e2e infra: hand-written worker + ScaledObject scales 0 -> N -> 0 on real jobs",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await ensureStack();
    await withNamespace("e2e-infra", async (ns) => {
      const fd = "hw";
      await applyObjects(handwrittenObjects(ns, fd, {
        workers: {
          short: {
            autoscaling: {
              enabled: true,
              pollingInterval: 2,
              cooldownPeriod: COOLDOWN,
              queueLength: 2,
              maxReplicas: 4,
            },
          },
          long: { replicas: 0 },
          default: { replicas: 0 },
        },
      }));
      const deploy = `${fd}-worker-short`;
      const timeline = new Timeline(ns, deploy);
      const bench = await eventually(
        "the tenant's Redis",
        () => connectBench(ns, fd),
        120_000,
        1000,
      );
      try {
        await timeline.until("the short worker at 0", (desired) => desired === 0, 60_000, 250);
        const start = Date.now();
        const ids = await enqueueSleeps(bench, "short", 10, 5);
        await eventually(
          "all 10 jobs finished",
          async () => {
            const c = await queueCounts(bench, "short");
            return c.finished >= 10 || undefined;
          },
          180_000,
          1000,
        );
        const up = timeline.firstAt((s) => s.desired >= 1, start);
        assert.ok(up !== undefined, "scaled up from 0");
        assert.ok(timeline.max >= 2, `HPA scaled beyond 1 (max ${timeline.max})`);
        // The HPA read KEDA's metrics through the aggregation layer.
        const hpa = await (await kube()).get({
          apiVersion: "autoscaling/v2",
          kind: "HorizontalPodAutoscaler",
          namespace: ns,
          name: `keda-hpa-${deploy}`,
        });
        const metrics = hpa?.status?.currentMetrics ?? [];
        assert.ok(
          metrics.some((m: { type: string }) => m.type === "External"),
          JSON.stringify(hpa?.status),
        );
        const outcomes = await jobOutcomes(bench, ids);
        assert.deepStrictEqual(outcomes.filter((o) => o.status !== "finished"), []);
        await timeline.until("back to 0 after the cooldown", (desired) => desired === 0, 180_000);
        console.log(`timeline: ${timeline.changes(start).join(", ")}`);
        console.log(
          `first replica after ${((up - start) / 1000).toFixed(1)} s; workers: ${
            [...new Set(outcomes.map((o) => o.worker))].join(" ")
          }`,
        );
      } finally {
        await timeline.stop();
        bench.redis.disconnect();
      }
    });
  },
});
