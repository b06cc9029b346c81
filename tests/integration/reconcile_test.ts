/**
 * reconcile(key) driven directly against the real control plane, with the
 * node agent playing kubelet (pods run, Jobs complete), so every phase gate
 * is passed for real. Deletion is in deletion_test.ts.
 */
import assert from "node:assert/strict";
import { renderAllObjects } from "../../controllers/render/mod.ts";
import { parseFrappeDeployment } from "../../apis/frappedeployment.ts";
import { reconcile } from "../../controllers/reconcile.ts";
import type { KubeObject } from "../../kube/types.ts";
import { eventually } from "../support/cluster.ts";
import {
  childrenOf,
  fdRef,
  frappeDeployment,
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

operatorTest("a FrappeDeployment yields every child, owned and labelled; a resync writes nothing", {
  namespace: "op-children",
}, async ({ client, transport, ns }) => {
  await client.apply(frappeDeployment(ns, "erp"), { fieldManager: "test", force: true });
  const deps = reconcileDeps(client);
  const fd = await reconcileUntilSteady(keyOf(ns, "erp"), deps, transport);
  const parsed = parseFrappeDeployment(fd);
  assert.ok(parsed.ok);
  const credentials = await client.get({
    apiVersion: "v1",
    kind: "Secret",
    namespace: ns,
    name: "erp-credentials",
  });
  const expected = renderAllObjects(parsed.value, {
    kedaAvailable: true,
    existingCredentials: credentials,
  })
    .map(idOf);
  const children = await childrenOf(client, ns, "erp");
  assert.deepEqual(children.map(idOf).sort(), [...expected, ...CLAIMS].sort());
  for (const child of children) {
    const ref = child.metadata.ownerReferences?.find((r) => r.controller);
    if (RETAINED.includes(idOf(child))) {
      assert.deepEqual(child.metadata.ownerReferences ?? [], [], `${idOf(child)} has no owner`);
      continue;
    }
    assert.equal(ref?.uid, fd.metadata.uid, `${idOf(child)} is controlled by the FD`);
    assert.equal(ref?.blockOwnerDeletion, true);
    const labels = child.metadata.labels ?? {};
    assert.equal(labels["app.kubernetes.io/managed-by"], "frappe-op", idOf(child));
    assert.equal(labels["app.kubernetes.io/instance"], "erp");
    assert.equal(labels["app.kubernetes.io/name"], "frappe");
    assert.equal(labels["app.kubernetes.io/part-of"], "frappe-bench");
    assert.ok(labels["app.kubernetes.io/component"], idOf(child));
  }
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
});

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
  await client.apply(frappeDeployment(ns, "erp", withCustom), {
    fieldManager: "test",
    force: true,
  });
  await reconcileUntilSteady(key, deps, transport);
  const custom = await client.get({
    apiVersion: "apps/v1",
    kind: "Deployment",
    namespace: ns,
    name: "erp-worker-reports",
  });
  assert.deepEqual(argv(custom), ["bench", "worker", "--queue", "reports"]);

  const changed = {
    workers: {
      ...IDLE_WORKERS,
      short: { ...IDLE_WORKERS.short, queues: ["short", "default"] },
    },
  };
  await client.apply(frappeDeployment(ns, "erp", changed), {
    fieldManager: "test",
    force: true,
  });
  const fd = await reconcileUntilSteady(key, deps, transport);
  const short = await client.get({
    apiVersion: "apps/v1",
    kind: "Deployment",
    namespace: ns,
    name: "erp-worker-short",
  });
  assert.deepEqual(argv(short), ["bench", "worker", "--queue", "short,default"]);
  await eventually("custom worker pruned", async () => {
    const gone = await client.get({
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: ns,
      name: "erp-worker-reports",
    });
    return gone === undefined || gone.metadata.deletionTimestamp ? true : undefined;
  });
  assert.equal(fd.status.observedGeneration, fd.metadata.generation);
  assert.equal(fd.status.workers.length, 3);
});
