/**
 * A Secret the spec names but that does not exist (or lacks the key) stops
 * the rollout with a Degraded condition that names it, before anything is
 * created; once the Secret exists the rollout goes on.
 */
import assert from "node:assert/strict";
import { reconcile } from "../../controllers/reconcile.ts";
import {
  applyFd,
  childrenOf,
  fdRef,
  frappeDeployment,
  idOf,
  keyOf,
  operatorTest,
  reconcileDeps,
  reconcileUntilSteady,
} from "./operator_support.ts";

operatorTest("a missing referenced Secret or key is named in Degraded, and nothing is created", {
  namespace: "op-refs",
  nodeAgent: false,
}, async ({ client, ns }) => {
  const sites = [{
    name: "erp.example.com",
    adminPasswordSecretRef: { name: "erp-admin", key: "password" },
  }];
  await applyFd(client, ns, "erp", { sites });
  const deps = reconcileDeps(client);
  await assert.rejects(reconcile(keyOf(ns, "erp"), deps), /SecretMissing|not found/);
  let fd = await client.get(fdRef(ns, "erp"));
  const degraded = () => fd!.status.conditions.find((c: { type: string }) => c.type === "Degraded");
  assert.equal(fd!.status.phase, "Degraded");
  assert.equal(degraded().reason, "SecretMissing");
  assert.equal(
    degraded().message,
    `spec.sites[0].adminPasswordSecretRef: Secret ${ns}/erp-admin not found`,
  );
  assert.deepEqual(await childrenOf(client, ns, "erp"), [], "nothing created");

  const secret = (data: Record<string, string>) => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "erp-admin", namespace: ns },
    stringData: data,
  });
  await client.apply(secret({ wrong: "x" }), { fieldManager: "test", force: true });
  await assert.rejects(reconcile(keyOf(ns, "erp"), deps));
  fd = await client.get(fdRef(ns, "erp"));
  assert.equal(
    degraded().message,
    `spec.sites[0].adminPasswordSecretRef: Secret ${ns}/erp-admin has no key "password"`,
  );

  await client.apply(secret({ password: "s3cret" }), { fieldManager: "test", force: true });
  await reconcile(keyOf(ns, "erp"), deps);
  fd = await client.get(fdRef(ns, "erp"));
  assert.notEqual(degraded()?.reason, "SecretMissing");
  assert.ok((await childrenOf(client, ns, "erp")).length > 0, "the rollout started");
});

operatorTest("a spec change to a missing Secret on a Ready bench changes nothing", {
  namespace: "op-refs-ready",
}, async ({ client, transport, ns }) => {
  const sites = [{ name: "erp.example.com" }];
  await client.apply(frappeDeployment(ns, "erp", { sites }), { fieldManager: "test", force: true });
  const deps = reconcileDeps(client);
  await reconcileUntilSteady(keyOf(ns, "erp"), deps, transport);
  const before = (await childrenOf(client, ns, "erp")).map(idOf).sort();
  assert.ok(before.includes("StatefulSet/erp-mariadb"));

  const external = { host: "db.example.com", credentialsSecretRef: { name: "erp-db" } };
  await client.apply(frappeDeployment(ns, "erp", { sites, database: { external } }), {
    fieldManager: "test",
    force: true,
  });
  await assert.rejects(reconcile(keyOf(ns, "erp"), deps), /not found/);
  const fd = await client.get(fdRef(ns, "erp"));
  const degraded = fd!.status.conditions.find((c: { type: string }) => c.type === "Degraded");
  assert.equal(degraded.reason, "SecretMissing");
  assert.equal(
    degraded.message,
    `spec.database.external.credentialsSecretRef: Secret ${ns}/erp-db not found`,
  );
  const after = (await childrenOf(client, ns, "erp")).filter((o) => !o.metadata.deletionTimestamp);
  assert.deepEqual(
    after.map(idOf).sort(),
    before,
    "the managed MariaDB is neither pruned nor replaced",
  );
});
