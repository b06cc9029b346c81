/**
 * Autoscaled workers against the real API server (KEDA's CRDs installed, no
 * KEDA operator: nothing but the tests writes replicas through /scale):
 * ScaledObjects and one TriggerAuthentication exactly as docs/autoscaling.md
 * says, updated in place, an external scale kept across reconciles, no writes
 * on resync, and the way back to static replicas.
 */
import assert from "node:assert/strict";
import { queueKey } from "../../apis/naming.ts";
import { reconcile } from "../../controllers/reconcile.ts";
import { WRITE_VERBS } from "../../kube/transport.ts";
import { kubectlOk } from "../support/cluster.ts";
import {
  applyFd,
  deployment,
  fdRef,
  keyOf,
  operatorTest,
  reconcileDeps,
  reconcileUntil,
  reconcileUntilSteady,
  secretValue,
} from "./operator_support.ts";
import {
  assertAutoscaledDeployment,
  assertScaledObject,
  assertStaticDeployment,
  assertTriggerAuth,
  kedaObjects,
  replicasOwners,
  scaledObject,
  triggerAuth,
} from "./autoscaling_support.ts";

const STATIC_DEFAULT = { replicas: 0, autoscaling: { enabled: false } };

/** short and long autoscaled with the documented defaults; long serves two queues. */
function autoscaledSpec(short: Record<string, unknown> = {}) {
  return {
    workers: {
      short: { autoscaling: { enabled: true, ...short } },
      long: { queues: ["long", "default"], autoscaling: { enabled: true } },
      default: STATIC_DEFAULT,
    },
  };
}

operatorTest(
  "autoscaling: ScaledObjects + one TriggerAuthentication, in-place update, external scale, resync, disable",
  { namespace: "as-lifecycle" },
  async ({ client, transport, ns, t }) => {
    const deps = reconcileDeps(client);
    const apply = (spec: Record<string, unknown>) => applyFd(client, ns, "erp", spec);
    const key = keyOf(ns, "erp");
    const bench = `${ns}.erp`;
    const address = `erp-redis-queue.${ns}.svc:6379`;
    const common = { benchId: bench, address, authName: "erp-redis-queue-auth", polling: 15 };
    const shortDefaults = {
      ...common,
      name: "erp-worker-short",
      deploymentName: "erp-worker-short",
      worker: "short",
      queues: ["short"],
      min: 0,
      max: 10,
      cooldown: 60,
      queueLength: 5,
    };
    const longDefaults = {
      ...common,
      name: "erp-worker-long",
      deploymentName: "erp-worker-long",
      worker: "long",
      queues: ["long", "default"],
      min: 0,
      max: 5,
      cooldown: 120,
      queueLength: 1,
    };

    await apply(autoscaledSpec());
    let fd = await reconcileUntilSteady(key, deps, transport);
    let shortUid = "";

    await t.step(
      "1. enabled on short and long: exact ScaledObjects, one TriggerAuthentication",
      async () => {
        assert.equal(fd.status.benchId, bench);
        const sos = await kedaObjects(client, ns, "ScaledObject");
        assert.deepEqual(sos.map((o) => o.metadata.name).sort(), [
          "erp-worker-long",
          "erp-worker-short",
        ]);
        const short = await scaledObject(client, ns, "erp-worker-short");
        shortUid = short?.metadata.uid ?? "";
        assertScaledObject(short, { fd, ...shortDefaults });
        assertScaledObject(await scaledObject(client, ns, "erp-worker-long"), {
          fd,
          ...longDefaults,
        });
        assert.equal(short!.spec.triggers[0].metadata.listName, queueKey(bench, "short"));

        const tas = await kedaObjects(client, ns, "TriggerAuthentication");
        assert.deepEqual(tas.map((o) => o.metadata.name), ["erp-redis-queue-auth"]);
        assertTriggerAuth(tas[0], fd, "erp-credentials");

        // The address is the bench's own queue Redis Service, and the password is nowhere in a ScaledObject.
        const svc = await client.get({
          apiVersion: "v1",
          kind: "Service",
          namespace: ns,
          name: "erp-redis-queue",
        });
        assert.ok(svc, "queue Redis Service exists");
        assert.deepEqual(svc.spec.ports.map((p: { port: number }) => p.port), [6379]);
        const password = await secretValue(
          client,
          ns,
          "erp-credentials",
          "redis-queue-password",
        );
        assert.ok(password.length >= 16, "a real password was generated");
        for (const so of sos) {
          assert.ok(
            !JSON.stringify(so).includes(password),
            `${so.metadata.name} carries no password`,
          );
        }

        assertAutoscaledDeployment(
          await deployment(client, ns, "erp-worker-short"),
          ["short"],
          360,
        );
        assertAutoscaledDeployment(await deployment(client, ns, "erp-worker-long"), [
          "long",
          "default",
        ], 1560);
        const d = (await deployment(client, ns, "erp-worker-short"))!;
        assert.equal(d.spec.replicas, 0, "created at minReplicas");
        assert.deepEqual(replicasOwners(d), ["frappe-op-replicas/Apply"]);
        const modes = fd.status.workers.map((w: { type: string; mode: string }) =>
          `${w.type}:${w.mode}`
        );
        assert.deepEqual(modes, ["short:autoscaled", "long:autoscaled", "default:static"]);
        const keda = fd.status.conditions.find((c: { type: string }) => c.type === "KedaAvailable");
        assert.equal(keda?.status, "True");
      },
    );

    await t.step("2. maxReplicas changed: the same ScaledObject updated in place", async () => {
      await apply(autoscaledSpec({ maxReplicas: 7 }));
      await reconcileUntil(key, deps, transport, async () => {
        return (await scaledObject(client, ns, "erp-worker-short"))?.spec.maxReplicaCount === 7;
      });
      fd = (await client.get(fdRef(ns, "erp")))!;
      const short = await scaledObject(client, ns, "erp-worker-short");
      assert.equal(short!.metadata.uid, shortUid, "not re-created");
      assertScaledObject(short, { fd, ...shortDefaults, max: 7 });
      const scaleUp = short!.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp;
      assert.deepEqual(scaleUp.policies[0], { type: "Pods", value: 7, periodSeconds: 15 });
      assertScaledObject(await scaledObject(client, ns, "erp-worker-long"), {
        fd,
        ...longDefaults,
      });
      assert.equal((await deployment(client, ns, "erp-worker-short"))!.spec.replicas, 0);
    });

    await t.step("5. resync with autoscaling on sends no writes", async () => {
      await reconcileUntilSteady(key, deps, transport);
      const rv = async () =>
        [
          (await client.get(fdRef(ns, "erp")))!,
          (await scaledObject(client, ns, "erp-worker-short"))!,
          (await scaledObject(client, ns, "erp-worker-long"))!,
          (await triggerAuth(client, ns, "erp-redis-queue-auth"))!,
          (await deployment(client, ns, "erp-worker-short"))!,
        ].map((o) => `${o.kind}/${o.metadata.name}@${o.metadata.resourceVersion}`);
      const rvBefore = await rv();
      const before = { ...transport.counts() };
      for (let i = 0; i < 3; i++) await reconcile(key, deps);
      const after = transport.counts();
      for (const verb of WRITE_VERBS) {
        assert.equal(after[verb] ?? 0, before[verb] ?? 0, `no ${verb} on resync`);
      }
      assert.deepEqual(await rv(), rvBefore, "nothing changed on the server");
    });

    await t.step("4. an external scale through /scale to 4 survives 3 reconciles", async () => {
      await kubectlOk(["-n", ns, "scale", "deployment/erp-worker-short", "--replicas=4"]);
      const scaled = (await deployment(client, ns, "erp-worker-short"))!;
      assert.equal(scaled.spec.replicas, 4);
      for (let i = 1; i <= 3; i++) {
        await reconcile(key, deps);
        const d = (await deployment(client, ns, "erp-worker-short"))!;
        assert.equal(d.spec.replicas, 4, `after reconcile ${i}`);
        assert.equal(
          d.metadata.generation,
          scaled.metadata.generation,
          `reconcile ${i} did not write the spec`,
        );
        assert.ok(
          !replicasOwners(d).some((o) => o.startsWith("frappe-op/")),
          "frappe-op still owns no replicas",
        );
      }
      assert.equal(
        (await scaledObject(client, ns, "erp-worker-short"))?.metadata.uid,
        shortUid,
      );
    });

    await t.step(
      "3. disabled: ScaledObject deleted, replicas explicit and owned by frappe-op",
      async () => {
        await apply({
          workers: {
            ...autoscaledSpec().workers,
            short: { replicas: 2, autoscaling: { enabled: false } },
          },
        });
        await reconcileUntil(
          key,
          deps,
          transport,
          async () => !(await scaledObject(client, ns, "erp-worker-short")),
        );
        const short = await deployment(client, ns, "erp-worker-short");
        assertStaticDeployment(short, 2);
        assert.deepEqual(
          replicasOwners(short!),
          ["frappe-op/Apply"],
          "the /scale writer's claim was taken back",
        );
        assert.ok(
          await scaledObject(client, ns, "erp-worker-long"),
          "long is still autoscaled",
        );
        assert.ok(
          await triggerAuth(client, ns, "erp-redis-queue-auth"),
          "still needed by long",
        );

        await apply({
          workers: {
            short: { replicas: 2, autoscaling: { enabled: false } },
            long: { replicas: 1, queues: ["long", "default"], autoscaling: { enabled: false } },
            default: STATIC_DEFAULT,
          },
        });
        await reconcileUntil(
          key,
          deps,
          transport,
          async () => !(await triggerAuth(client, ns, "erp-redis-queue-auth")),
        );
        assert.deepEqual(await kedaObjects(client, ns, "ScaledObject"), []);
        assert.deepEqual(await kedaObjects(client, ns, "TriggerAuthentication"), []);
        assertStaticDeployment(await deployment(client, ns, "erp-worker-long"), 1);
        assertStaticDeployment(await deployment(client, ns, "erp-worker-short"), 2);
        fd = (await client.get(fdRef(ns, "erp")))!;
        const autoscaling = fd.status.conditions.find((c: { type: string }) =>
          c.type === "Autoscaling"
        );
        assert.equal(autoscaling?.status, "False");
        assert.equal(autoscaling?.reason, "AutoscalingDisabled");
      },
    );
  },
);
