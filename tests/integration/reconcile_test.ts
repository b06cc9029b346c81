/**
 * reconcile(key) driven directly against the real control plane, with the
 * node agent playing kubelet (pods run, Jobs complete), so every phase gate
 * is passed for real. Deletion is in deletion_test.ts, Jobs in jobs_test.ts.
 */
import assert from "node:assert/strict";
import { renderAllObjects } from "../../controllers/render/mod.ts";
import { fromBase64 } from "../../controllers/render/credentials.ts";
import { appliedHashOf, digest } from "../../controllers/hash.ts";
import { reconcile } from "../../controllers/reconcile.ts";
import { validSpec } from "../../controllers/spec.ts";
import type { KubeObject } from "../../kube/types.ts";
import { eventually } from "../support/cluster.ts";
import { SITE } from "./jobs_support.ts";
import {
  applyFd,
  childrenOf,
  deployment,
  fdRef,
  IDLE_WORKERS,
  idOf,
  keyOf,
  operatorTest,
  reconcileDeps,
  reconcileUntilSteady,
} from "./operator_support.ts";

/** The worker container's argv (command, then args). */
function argv(deployment: KubeObject | undefined): string[] | undefined {
  const c = deployment?.spec.template.spec.containers[0];
  return c ? [...(c.command ?? []), ...(c.args ?? [])] : undefined;
}

/** PVCs the StatefulSet controller makes from the volumeClaimTemplates (not rendered). */
const CLAIMS = [
  "PersistentVolumeClaim/data-erp-mariadb-0",
  "PersistentVolumeClaim/data-erp-redis-queue-0",
];
/** Data kept by `deletionPolicy: Retain` (the default): no owner. */
const RETAINED = ["PersistentVolumeClaim/erp-sites", "Secret/erp-credentials", ...CLAIMS];

operatorTest(
  "a FrappeDeployment yields every child as rendered, owned and labelled; a resync writes nothing",
  {
    namespace: "op-children",
  },
  async ({ client, transport, ns }) => {
    await applyFd(client, ns, "erp", { sites: [SITE] });
    const deps = reconcileDeps(client);
    const fd = await reconcileUntilSteady(keyOf(ns, "erp"), deps, transport);
    const credentials = await client.get(secretRef(ns, "erp-credentials"));
    const expected = renderAllObjects(validSpec(fd, deps), {
      kedaAvailable: true,
      existingCredentials: credentials,
    });
    const children = new Map((await childrenOf(client, ns, "erp")).map((c) => [idOf(c), c]));
    assert.deepEqual([...children.keys()].sort(), [...expected.map(idOf), ...CLAIMS].sort());
    for (const want of expected) {
      const live = children.get(idOf(want))!;
      assert.equal(appliedHashOf(live), await digest(want), `${idOf(want)} is applied as rendered`);
    }
    for (const [id, child] of children) {
      const ref = child.metadata.ownerReferences?.find((r) => r.controller);
      if (RETAINED.includes(id)) {
        assert.deepEqual(child.metadata.ownerReferences ?? [], [], `${id} is kept: no owner`);
      } else {
        assert.equal(ref?.uid, fd.metadata.uid, `${id} is controlled by the FD`);
        assert.equal(ref?.blockOwnerDeletion, true);
      }
      const labels = child.metadata.labels ?? {};
      assert.equal(labels["app.kubernetes.io/managed-by"], "frappe-op", id);
      assert.equal(labels["app.kubernetes.io/instance"], "erp");
      assert.equal(labels["app.kubernetes.io/name"], "frappe");
      assert.equal(labels["app.kubernetes.io/part-of"], "frappe-bench");
      assert.ok(labels["app.kubernetes.io/component"], id);
    }
    spotChecks(ns, children, credentials!);
    assert.equal(fd.status.observedGeneration, fd.metadata.generation);
    assert.equal(fd.status.benchId, `${ns}.erp`);
    const before = { ...transport.counts() };
    for (let i = 0; i < 3; i++) await reconcile(keyOf(ns, "erp"), deps);
    const after = transport.counts();
    for (const verb of ["create", "update", "patch", "apply", "delete"]) {
      assert.equal(after[verb] ?? 0, before[verb] ?? 0, `no ${verb} at steady state`);
    }
    const again = await client.get(fdRef(ns, "erp"));
    assert.equal(again!.metadata.resourceVersion, fd.metadata.resourceVersion);
  },
);

const secretRef = (namespace: string, name: string) => ({
  apiVersion: "v1",
  kind: "Secret",
  namespace,
  name,
});

/** What the API server holds, field by field, for the parts that matter most. */
function spotChecks(ns: string, children: Map<string, KubeObject>, credentials: KubeObject) {
  const get = (id: string) => children.get(id)!;
  const pw = (k: string) => encodeURIComponent(fromBase64(credentials.data[k]));
  const config = JSON.parse(fromBase64(get("Secret/erp-config").data["common_site_config.json"]));
  assert.deepEqual(config, {
    bench_id: `${ns}.erp`,
    db_host: `erp-mariadb.${ns}.svc`,
    db_port: 3306,
    redis_queue: `redis://:${pw("redis-queue-password")}@erp-redis-queue.${ns}.svc:6379`,
    redis_cache: `redis://:${pw("redis-cache-password")}@erp-redis-cache.${ns}.svc:6379`,
    socketio_port: 9000,
    workers: {},
  });
  const scheduler = get("Deployment/erp-scheduler").spec;
  assert.equal(scheduler.replicas, 1);
  assert.equal(scheduler.strategy.type, "Recreate");
  assert.equal(scheduler.strategy.rollingUpdate, undefined);
  const grace = (name: string) =>
    get(`Deployment/erp-worker-${name}`).spec.template.spec.terminationGracePeriodSeconds;
  assert.ok(grace("long") > 1500, "a long job (1500 s) finishes before the pod is killed");
  assert.ok(grace("short") > 300 && grace("default") > 300);
  for (const [id, o] of children) {
    const pod = o.spec?.template?.spec;
    if (!pod) continue;
    assert.equal(pod.securityContext.runAsNonRoot, true, id);
    assert.equal(pod.securityContext.seccompProfile.type, "RuntimeDefault", id);
    assert.equal(pod.automountServiceAccountToken, false, id);
    for (const c of pod.containers) {
      assert.equal(c.securityContext.allowPrivilegeEscalation, false, `${id} ${c.name}`);
      assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"], `${id} ${c.name}`);
    }
  }
  for (const name of ["erp-mariadb", "erp-redis-queue"]) {
    assert.deepEqual(get(`StatefulSet/${name}`).spec.persistentVolumeClaimRetentionPolicy, {
      whenDeleted: "Retain",
      whenScaled: "Retain",
    });
  }
}

operatorTest("an update is applied and what the spec no longer asks for is pruned", {
  namespace: "op-update",
}, async ({ client, transport, ns }) => {
  const deps = reconcileDeps(client);
  const key = keyOf(ns, "erp");
  const withCustom = {
    workers: {
      ...IDLE_WORKERS,
      custom: [{ name: "reports", timeout: 600, replicas: 0 }],
    },
  };
  await applyFd(client, ns, "erp", withCustom);
  await reconcileUntilSteady(key, deps, transport);
  const custom = await deployment(client, ns, "erp-worker-reports");
  assert.deepEqual(argv(custom), ["bench", "worker", "--queue", "reports"]);

  const changed = {
    workers: {
      ...IDLE_WORKERS,
      short: { ...IDLE_WORKERS.short, queues: ["short", "default"] },
    },
  };
  await applyFd(client, ns, "erp", changed);
  const fd = await reconcileUntilSteady(key, deps, transport);
  const short = await deployment(client, ns, "erp-worker-short");
  assert.deepEqual(argv(short), ["bench", "worker", "--queue", "short,default"]);
  await eventually("custom worker pruned", async () => {
    const gone = await deployment(client, ns, "erp-worker-reports");
    return gone === undefined || gone.metadata.deletionTimestamp ? true : undefined;
  });
  assert.equal(fd.status.observedGeneration, fd.metadata.generation);
  assert.equal(fd.status.workers.length, 3);
});
