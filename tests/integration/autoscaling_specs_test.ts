/**
 * Autoscaling across tenants and names, against the real API server: three
 * tenants get distinct keys, ScaledObjects and credentials (and pruning one
 * leaves the others alone); a 60-character FrappeDeployment name still gives
 * ScaledObject names KEDA's `keda-hpa-<name>` fits in 63; invalid
 * autoscaling specs are refused by the API server with the documented
 * messages, and by the operator's own validation with the same words.
 */
import assert from "node:assert/strict";
import { parseFrappeDeployment } from "../../apis/frappedeployment.ts";
import type { KubeObject } from "../../kube/types.ts";
import { withNamespace } from "../support/cluster.ts";
import {
  applyFd,
  deployment,
  fdRef,
  frappeDeployment,
  IDLE_WORKERS,
  keyOf,
  operatorTest,
  reconcileDeps,
  reconcileUntil,
  reconcileUntilSteady,
  rejection,
  testClient,
} from "./operator_support.ts";
import {
  assertScaledObject,
  assertTriggerAuth,
  kedaObjects,
  scaledObject,
  triggerAuth,
} from "./autoscaling_support.ts";

const AUTOSCALED = {
  workers: {
    short: { autoscaling: { enabled: true } },
    long: { autoscaling: { enabled: true } },
    default: IDLE_WORKERS.default,
  },
};

/** Creates the FrappeDeployment and reconciles it to Ready on its own client (own write counter). */
async function deployTenant(ns: string, name: string, spec: Record<string, unknown> = AUTOSCALED) {
  const t = await testClient();
  try {
    await applyFd(t.client, ns, name, spec);
    return await reconcileUntilSteady(keyOf(ns, name), reconcileDeps(t.client), t.transport);
  } finally {
    t.close();
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

operatorTest("autoscaling: three tenants get distinct keys, ScaledObjects and credentials", {
  namespace: "as-tenant-a",
}, async ({ client, transport, ns: a }) => {
  await withNamespace("as-tenant-b", async (b) => {
    const tenants: [string, string][] = [[a, "erp"], [a, "crm"], [b, "erp"]];
    const fds = await Promise.all(tenants.map(([ns, name]) => deployTenant(ns, name)));
    const listNames: string[] = [];
    const soIds: string[] = [];
    for (const [i, [ns, name]] of tenants.entries()) {
      const fd = fds[i];
      const bench = `${ns}.${name}`;
      assert.equal(fd.status.benchId, bench);
      for (
        const [worker, max, cooldown, queueLength] of [["short", 10, 60, 5], [
          "long",
          5,
          120,
          1,
        ]] as const
      ) {
        const so = await scaledObject(client, ns, `${name}-worker-${worker}`);
        assertScaledObject(so, {
          fd,
          benchId: bench,
          name: `${name}-worker-${worker}`,
          deploymentName: `${name}-worker-${worker}`,
          worker,
          queues: [worker],
          min: 0,
          max,
          polling: 15,
          cooldown,
          queueLength,
          address: `${name}-redis-queue.${ns}.svc:6379`,
          authName: `${name}-redis-queue-auth`,
        });
        soIds.push(`${ns}/${so!.metadata.name}`);
        listNames.push(
          ...so!.spec.triggers.map((t: { metadata: { listName: string } }) => t.metadata.listName),
        );
      }
      assertTriggerAuth(
        await triggerAuth(client, ns, `${name}-redis-queue-auth`),
        fd,
        `${name}-credentials`,
      );
    }
    assert.equal(new Set(soIds).size, 6, "six distinct ScaledObjects");
    assert.equal(listNames.length, 12);
    assert.equal(new Set(listNames).size, 12, `distinct keys: ${listNames.join(" ")}`);
    assert.ok(listNames.includes(`rq:queue:${a}.crm:short`));
    assert.ok(listNames.includes(`rq:wip:${b}.erp:long`));
    assert.deepEqual(
      (await kedaObjects(client, a, "TriggerAuthentication")).map((o) => o.metadata.name).sort(),
      ["crm-redis-queue-auth", "erp-redis-queue-auth"],
      "one TriggerAuthentication per FrappeDeployment",
    );

    // Turning crm's autoscaling off prunes crm's KEDA objects only, not erp's in the same namespace.
    const uids = async () =>
      (await kedaObjects(client, a, "ScaledObject")).map((o) =>
        `${o.metadata.name}@${o.metadata.uid}`
      ).sort();
    const erpBefore = (await uids()).filter((u) => u.startsWith("erp-"));
    await applyFd(client, a, "crm", {});
    await reconcileUntil(
      keyOf(a, "crm"),
      reconcileDeps(client),
      transport,
      async () => !(await triggerAuth(client, a, "crm-redis-queue-auth")),
    );
    assert.deepEqual(await uids(), erpBefore, "erp's ScaledObjects untouched");
    assert.ok(
      await triggerAuth(client, a, "erp-redis-queue-auth"),
      "erp's TriggerAuthentication untouched",
    );
    assert.equal(
      (await kedaObjects(client, b, "ScaledObject")).length,
      2,
      "tenant b untouched",
    );
  });
});

operatorTest(
  "autoscaling: a 60-character FrappeDeployment name gives ScaledObject names <= 54 the API server accepts",
  { namespace: "as-longname" },
  async ({ client, ns }) => {
    const name = "acme-corporation-production-erp-tenant-with-a-very-long-name";
    assert.equal(name.length, 60);
    const fd = await deployTenant(ns, name);
    const sos = await kedaObjects(client, ns, "ScaledObject");
    assert.equal(sos.length, 2);
    const redis = (await client.list("v1", "Service", {
      namespace: ns,
      labelSelector: `app.kubernetes.io/instance=${name},app.kubernetes.io/component=redis-queue`,
    })).items;
    assert.equal(redis.length, 1, "one queue Redis Service");
    const tas = await kedaObjects(client, ns, "TriggerAuthentication");
    assert.equal(tas.length, 1);
    const credentials = tas[0].spec.secretTargetRef[0].name;
    assert.ok(
      await client.get({ apiVersion: "v1", kind: "Secret", namespace: ns, name: credentials }),
      "the Secret it names exists",
    );
    assertTriggerAuth(tas[0], fd, credentials);
    assert.ok(tas[0].metadata.name.length <= 63 && DNS_LABEL.test(tas[0].metadata.name));

    for (const worker of ["short", "long"] as const) {
      const so = sos.find((o) =>
        o.metadata.labels?.["frappe-op.dev/worker"] === worker
      ) as KubeObject;
      const soName = so.metadata.name!;
      assert.ok(soName.length <= 54, `${soName}: ${soName.length} chars`);
      assert.match(soName, DNS_LABEL);
      assert.ok(`keda-hpa-${soName}`.length <= 63, "KEDA's HPA name fits a DNS label");
      assert.match(
        soName,
        /^acme-corporation-production-erp-tenant-[a-z0-9-]*-[0-9a-f]{8}$/,
        "truncated + hash",
      );
      const target = so.spec.scaleTargetRef.name;
      assert.ok(target.length <= 63 && DNS_LABEL.test(target));
      const d = await deployment(client, ns, target);
      assert.ok(d, `scaleTargetRef ${target} is the real worker Deployment`);
      assert.equal(d.metadata.labels?.["app.kubernetes.io/component"], `worker-${worker}`);
      assertScaledObject(so, {
        fd,
        benchId: `${ns}.${name}`,
        name: soName,
        deploymentName: target,
        worker,
        queues: [worker],
        min: 0,
        max: worker === "short" ? 10 : 5,
        polling: 15,
        cooldown: worker === "short" ? 60 : 120,
        queueLength: worker === "short" ? 5 : 1,
        address: `${redis[0].metadata.name}.${ns}.svc:6379`,
        authName: tas[0].metadata.name,
      });
    }
    const [a, b] = sos.map((o) => o.metadata.name);
    assert.notEqual(a, b, "short and long still differ after truncation");
    const again = await client.get(fdRef(ns, name));
    assert.equal(again!.status.phase, "Ready");
  },
);

const w = (workers: Record<string, unknown>) => ({ workers: { ...IDLE_WORKERS, ...workers } });
// [what, spec, API server message, operator (zod) message]
const cases: [string, Record<string, unknown>, string, string][] = [
  [
    "min > max",
    w({ short: { autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 2 } } }),
    "spec.workers.short.autoscaling: Invalid value: minReplicas must be <= maxReplicas",
    "spec.workers.short.autoscaling.minReplicas: minReplicas must be <= maxReplicas",
  ],
  [
    "min above the default max",
    w({ long: { autoscaling: { enabled: true, minReplicas: 6 } } }),
    "spec.workers.long.autoscaling: Invalid value: minReplicas must be <= maxReplicas",
    "spec.workers.long.autoscaling.minReplicas: minReplicas must be <= maxReplicas",
  ],
  [
    "max 0",
    w({ short: { autoscaling: { enabled: true, minReplicas: 0, maxReplicas: 0 } } }),
    "spec.workers.short.autoscaling.maxReplicas: Invalid value: 0: " +
    "spec.workers.short.autoscaling.maxReplicas in body should be greater than or equal to 1",
    "spec.workers.short.autoscaling.maxReplicas: maxReplicas must be >= 1",
  ],
  [
    "pollingInterval 0",
    w({ short: { autoscaling: { enabled: true, pollingInterval: 0 } } }),
    "spec.workers.short.autoscaling.pollingInterval: Invalid value: 0: " +
    "spec.workers.short.autoscaling.pollingInterval in body should be greater than or equal to 1",
    "spec.workers.short.autoscaling.pollingInterval: pollingInterval must be >= 1 second",
  ],
  [
    "negative cooldown",
    w({ long: { autoscaling: { enabled: true, cooldownPeriod: -1 } } }),
    "spec.workers.long.autoscaling.cooldownPeriod: Invalid value: -1: " +
    "spec.workers.long.autoscaling.cooldownPeriod in body should be greater than or equal to 0",
    "spec.workers.long.autoscaling.cooldownPeriod: cooldownPeriod must be >= 0 seconds",
  ],
  [
    "default worker autoscaled to zero",
    w({ default: { autoscaling: { enabled: true, minReplicas: 0 } } }),
    "spec.workers: Invalid value: default worker: autoscaling.minReplicas must be >= 1 " +
    "(scheduled jobs land in the default queue)",
    "spec.workers.default.autoscaling.minReplicas: default worker: autoscaling.minReplicas " +
    "must be >= 1 (scheduled jobs land in the default queue)",
  ],
  [
    "custom worker named short",
    w({ custom: [{ name: "short", timeout: 300, autoscaling: { enabled: true } }] }),
    "spec.workers.custom[0]: Invalid value: custom worker names must not be short, long or default",
    "spec.workers.custom[0].name: custom worker names must not be short, long or default",
  ],
  [
    "custom worker named like a component of a FrappeDeployment <fd>-worker",
    w({ custom: [{ name: "gunicorn", timeout: 300 }] }),
    "spec.workers.custom[0]: Invalid value: custom worker names must not be gunicorn, nginx, " +
    "socketio, scheduler, redis-cache or start with worker-",
    "spec.workers.custom[0].name: custom worker names must not be gunicorn, nginx, socketio, " +
    "scheduler, redis-cache or start with worker-: <fd>-worker-<name> would be the name of a " +
    "Deployment of a FrappeDeployment named <fd>-worker",
  ],
  [
    "custom worker min > max",
    w({
      custom: [{
        name: "reports",
        timeout: 600,
        autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 1 },
      }],
    }),
    "spec.workers.custom[0].autoscaling: Invalid value: minReplicas must be <= maxReplicas",
    "spec.workers.custom[0].autoscaling.minReplicas: minReplicas must be <= maxReplicas",
  ],
];

operatorTest(
  "autoscaling: invalid specs are rejected by the API server (and the operator) with clear messages",
  { namespace: "as-invalid", nodeAgent: false },
  async ({ client, ns }) => {
    for (const [what, spec, serverMessage, operatorMessage] of cases) {
      const obj = frappeDeployment(ns, "bad", spec);
      const err = await rejection(() => client.apply(obj, { fieldManager: "test", force: true }));
      assert.equal(err.status, 422, what);
      assert.ok(
        err.serverMessage.includes(serverMessage),
        `${what}: API server said ${JSON.stringify(err.serverMessage)}`,
      );
      const parsed = parseFrappeDeployment(obj);
      assert.ok(!parsed.ok, `${what}: the operator's validation rejects it too`);
      assert.ok(
        parsed.errors.includes(operatorMessage),
        `${what}: operator said ${JSON.stringify(parsed.errors)}`,
      );
    }
    assert.equal(await client.get(fdRef(ns, "bad")), undefined, "nothing was stored");
    // A valid autoscaling spec at the edges is accepted.
    await applyFd(
      client,
      ns,
      "edge",
      w({
        short: {
          autoscaling: {
            enabled: true,
            minReplicas: 3,
            maxReplicas: 3,
            pollingInterval: 1,
            cooldownPeriod: 0,
          },
        },
        default: { autoscaling: { enabled: true, minReplicas: 1 } },
      }),
    );
  },
);
