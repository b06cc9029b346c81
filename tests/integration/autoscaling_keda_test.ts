/**
 * KEDA not installed, then installed. The local control plane has KEDA's
 * CRDs, so "not installed" is played by a stand-in KEDA detector injected
 * through ReconcileDeps.keda (what CrdKedaDetector would answer on a cluster
 * without scaledobjects.keda.sh / triggerauthentications.keda.sh). Expected:
 * autoscaled workers run static at max(minReplicas, 1) with
 * KedaAvailable=False; once KEDA is "installed" the next reconcile creates the
 * ScaledObjects and hands replicas over to KEDA (docs/autoscaling.md).
 */
import assert from "node:assert/strict";
import type { KedaDetector } from "../../controllers/keda.ts";
import {
  applyFd,
  deployment,
  fdRef,
  IDLE_WORKERS,
  keyOf,
  operatorTest,
  reconcileDeps,
  reconcileUntil,
} from "./operator_support.ts";
import {
  assertAutoscaledDeployment,
  assertStaticDeployment,
  kedaObjects,
  replicasOwners,
  scaledObject,
} from "./autoscaling_support.ts";

/**
 * STAND-IN for the KEDA CRDs being absent from the cluster: the detector
 * answers `installed` instead of looking the CRDs up. Flip `installed` to
 * play "KEDA was installed".
 */
class KedaInstallStandIn implements KedaDetector {
  constructor(public installed: boolean) {}
  available(): Promise<boolean> {
    return Promise.resolve(this.installed);
  }
  refresh(): Promise<boolean> {
    return Promise.resolve(false);
  }
}

const SPEC = {
  workers: {
    short: { autoscaling: { enabled: true } }, // min 0: falls back to 1
    long: { autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 3 } }, // falls back to 2
    default: IDLE_WORKERS.default,
  },
};

type Cond = { type: string; status: string; reason: string; message: string };
type WorkerStatus = { type: string; mode: string };

operatorTest(
  "autoscaling: without KEDA workers run static at max(min,1) with KedaAvailable=False; with KEDA they are handed over",
  { namespace: "as-nokeda" },
  async ({ client, transport, ns, t }) => {
    const clusterWithoutKedaCrds = new KedaInstallStandIn(false);
    const deps = { ...reconcileDeps(client), keda: clusterWithoutKedaCrds };
    const key = keyOf(ns, "erp");
    await applyFd(client, ns, "erp", SPEC);
    const hasWorkers = async () => (await deployment(client, ns, "erp-worker-long")) !== undefined;
    let fd = await reconcileUntil(key, deps, transport, hasWorkers, 120_000);
    const condition = (type: string) =>
      fd.status.conditions.find((c: Cond) => c.type === type) as Cond;

    await t.step(
      "KEDA absent: no KEDA objects, static replicas max(minReplicas,1), KedaAvailable=False",
      async () => {
        assert.deepEqual(await kedaObjects(client, ns, "ScaledObject"), []);
        assert.deepEqual(await kedaObjects(client, ns, "TriggerAuthentication"), []);
        assertStaticDeployment(await deployment(client, ns, "erp-worker-short"), 1);
        assertStaticDeployment(await deployment(client, ns, "erp-worker-long"), 2);
        const keda = condition("KedaAvailable");
        assert.equal(keda.status, "False");
        assert.equal(keda.reason, "KedaNotInstalled");
        assert.equal(
          keda.message,
          "KEDA is not installed: workers short, long run with static replicas until it is",
        );
        assert.equal(condition("Autoscaling").status, "False");
      },
    );

    await t.step(
      "KEDA absent: status.workers[].mode is static-fallback (docs/autoscaling.md)",
      () => {
        const modes = fd.status.workers.map((w: WorkerStatus) => `${w.type}:${w.mode}`);
        assert.deepEqual(modes, [
          "short:static-fallback",
          "long:static-fallback",
          "default:static",
        ]);
      },
    );

    await t.step("KEDA absent: one KedaMissing event (docs/autoscaling.md)", async () => {
      const { items } = await client.list("v1", "Event", { namespace: ns });
      const missing = items.filter((e) =>
        e.involvedObject?.name === "erp" && e.reason === "KedaMissing"
      );
      assert.equal(missing.length, 1, `events: ${items.map((e) => e.reason).join(", ")}`);
    });

    clusterWithoutKedaCrds.installed = true;

    await t.step(
      "KEDA installed: ScaledObjects appear and replicas are handed over",
      async () => {
        fd = await reconcileUntil(
          key,
          deps,
          transport,
          async () => (await scaledObject(client, ns, "erp-worker-long")) !== undefined,
        );
        const sos = await kedaObjects(client, ns, "ScaledObject");
        assert.deepEqual(
          sos.map((o) => o.metadata.name).sort(),
          ["erp-worker-long", "erp-worker-short"],
        );
        assert.equal(
          sos.find((o) => o.metadata.name === "erp-worker-long")!.spec.minReplicaCount,
          2,
        );
        assert.equal((await kedaObjects(client, ns, "TriggerAuthentication")).length, 1);
        for (const [worker, grace, kept] of [["short", 360, 1], ["long", 1560, 2]] as const) {
          const d = await deployment(client, ns, `erp-worker-${worker}`);
          assertAutoscaledDeployment(d, [worker], grace);
          assert.equal(
            d!.spec.replicas,
            kept,
            `${worker}: the running count is kept, not reset`,
          );
          assert.deepEqual(
            replicasOwners(d!),
            ["frappe-op-replicas/Apply"],
            `${worker}: handed over`,
          );
        }
        fd = (await client.get(fdRef(ns, "erp")))!;
        const keda = condition("KedaAvailable");
        assert.equal(keda.status, "True");
        assert.equal(keda.reason, "KedaInstalled");
        const modes = fd.status.workers.map((w: WorkerStatus) => `${w.type}:${w.mode}`);
        assert.deepEqual(modes, ["short:autoscaled", "long:autoscaled", "default:static"]);
      },
    );
  },
);
