/**
 * The generated credentials Secret deleted (or a key removed) by hand on a
 * bench whose data exists: no new passwords are minted (the MariaDB data, the
 * running Redis and the sites were made with the old ones); Degraded says
 * CredentialsLost and names the data, and restoring the Secret heals it.
 */
import assert from "node:assert/strict";
import type { KubeObject } from "../../kube/types.ts";
import { reconcile } from "../../controllers/reconcile.ts";
import { eventually } from "../support/cluster.ts";
import {
  fdRef,
  frappeDeployment,
  keyOf,
  operatorTest,
  reconcileDeps,
  reconcileUntilSteady,
} from "./operator_support.ts";

operatorTest("a lost credentials Secret is never regenerated over existing data", {
  namespace: "op-creds-lost",
}, async ({ client, transport, ns }) => {
  const deps = reconcileDeps(client);
  const key = keyOf(ns, "erp");
  await client.apply(frappeDeployment(ns, "erp", { sites: [{ name: "erp.example.com" }] }), {
    fieldManager: "test",
    force: true,
  });
  await reconcileUntilSteady(key, deps, transport);
  const ref = { apiVersion: "v1", kind: "Secret", namespace: ns, name: "erp-credentials" };
  const original = (await client.get(ref))!;
  const claim = { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: ns };
  await eventually(
    "the MariaDB volume",
    () => client.get({ ...claim, name: "data-erp-mariadb-0" }),
  );
  const degraded = async () => {
    const fd = await client.get(fdRef(ns, "erp"));
    return fd!.status.conditions.find((c: { type: string }) => c.type === "Degraded");
  };

  await client.delete(ref);
  await assert.rejects(reconcile(key, deps), /CredentialsLost|gone/);
  assert.equal(await client.get(ref), undefined, "no new passwords minted");
  const lost = await degraded();
  assert.equal(lost.reason, "CredentialsLost");
  assert.match(lost.message, new RegExp(`Secret ${ns}/erp-credentials is gone`));
  assert.match(lost.message, /data-erp-mariadb-0/);
  assert.match(lost.message, /erp-sites/);

  // Restored from a backup: the same values, no labels or owner needed.
  const restored: KubeObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "erp-credentials", namespace: ns },
    data: { ...original.data },
  };
  await client.create(restored, { fieldManager: "test" });
  await reconcileUntilSteady(key, deps, transport);
  assert.deepEqual((await client.get(ref))!.data, original.data, "the old passwords are kept");

  const { "mariadb-root-password": _, ...rest } = original.data;
  const live = (await client.get(ref))!;
  await client.replace({ ...live, data: rest }, { fieldManager: "test" });
  await assert.rejects(reconcile(key, deps), /CredentialsLost|mariadb-root-password/);
  assert.match((await degraded()).message, /has no mariadb-root-password/);
  assert.equal((await client.get(ref))!.data["mariadb-root-password"], undefined);
});
