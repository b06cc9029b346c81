/**
 * `spec.deletionPolicy` against the real control plane: kube-controller-manager's
 * garbage collector and StatefulSet controller (PVC retention, GA since
 * 1.32) decide what outlives a deleted FrappeDeployment.
 */
import assert from "node:assert/strict";
import type { KubeClient } from "../../kube/client.ts";
import type { KubeObject } from "../../kube/types.ts";
import { reconcile } from "../../controllers/reconcile.ts";
import { fromBase64 } from "../../controllers/render/credentials.ts";
import { eventually } from "../support/cluster.ts";
import {
  applyFd,
  childrenOf,
  fdRef,
  idOf,
  keyOf,
  operatorTest,
  reconcileDeps,
  reconcileUntilSteady,
  secretValue,
} from "./operator_support.ts";
import { SITE } from "./jobs_support.ts";

/** What Retain keeps: everything needed to bring the bench's data back. */
const DATA = [
  "PersistentVolumeClaim/data-erp-mariadb-0",
  "PersistentVolumeClaim/data-erp-redis-queue-0",
  "PersistentVolumeClaim/erp-sites",
  "Secret/erp-credentials",
];

const owners = (o: KubeObject) => (o.metadata.ownerReferences ?? []).map((r) => r.kind);

/** The data objects by id, once each exists and carries exactly the owner kinds `want` says. */
function dataOwnedAs(client: KubeClient, ns: string, want: (id: string) => string[]) {
  return eventually(
    `data owners ${ns}`,
    async () => {
      const all = new Map((await childrenOf(client, ns, "erp")).map((o) => [idOf(o), o]));
      for (const id of DATA) {
        const o = all.get(id);
        if (!o) throw new Error(`${id} missing`);
        const have = owners(o).join(",");
        if (have !== want(id).join(",")) throw new Error(`${id} owned by [${have}]`);
      }
      return new Map(DATA.map((id) => [id, all.get(id)!]));
    },
    60_000,
    500,
  );
}

const unowned = () => [];
const ownedPerDelete = (id: string) =>
  id.startsWith("PersistentVolumeClaim/data-") ? ["StatefulSet"] : ["FrappeDeployment"];

/** Waits until only the objects named in `keep` are left (none being deleted). */
function leftAfterDeletion(client: KubeClient, ns: string, keep: string[]) {
  return eventually(
    `${ns} collected`,
    async () => {
      const left = (await childrenOf(client, ns, "erp")).map(idOf).sort();
      if (left.join() !== [...keep].sort().join()) throw new Error(`left: ${left.join(", ")}`);
      const pending = (await childrenOf(client, ns, "erp")).filter((o) =>
        o.metadata.deletionTimestamp
      );
      if (pending.length > 0) throw new Error(`still deleting: ${pending.map(idOf).join(", ")}`);
      return true;
    },
    90_000,
    1000,
  );
}

operatorTest(
  "Retain (default): deletion keeps the data; the same name adopts it; Delete then removes all",
  { namespace: "op-retain" },
  async ({ client, transport, ns }) => {
    const deps = reconcileDeps(client);
    const key = keyOf(ns, "erp");
    const spec = { sites: [SITE] };
    await applyFd(client, ns, "erp", spec);
    await reconcileUntilSteady(key, deps, transport);
    const before = await dataOwnedAs(client, ns, unowned);
    const password = (s: KubeObject) => fromBase64(s.data["mariadb-root-password"]);

    await client.delete(fdRef(ns, "erp"));
    assert.deepEqual(await reconcile(key, deps), {}, "a gone FD is nothing to do");
    await leftAfterDeletion(client, ns, DATA);

    await applyFd(client, ns, "erp", spec);
    const again = await reconcileUntilSteady(key, deps, transport);
    const after = await dataOwnedAs(client, ns, unowned);
    for (const id of DATA) {
      assert.equal(after.get(id)!.metadata.uid, before.get(id)!.metadata.uid, `${id} adopted`);
    }
    const credentials = after.get("Secret/erp-credentials")!;
    assert.equal(password(credentials), password(before.get("Secret/erp-credentials")!));
    const config = JSON.parse(
      await secretValue(client, ns, "erp-config", "common_site_config.json"),
    );
    const queuePassword = fromBase64(credentials.data["redis-queue-password"]);
    assert.ok(
      config.redis_queue.includes(`:${queuePassword}@`),
      "the config uses the old password",
    );

    await applyFd(client, ns, "erp", { sites: [SITE], deletionPolicy: "Delete" });
    await reconcileUntilSteady(key, deps, transport);
    const owned = await dataOwnedAs(client, ns, ownedPerDelete);
    const fdOwner = owned.get("Secret/erp-credentials")!.metadata.ownerReferences![0];
    assert.equal(fdOwner.uid, again.metadata.uid);
    assert.equal(fdOwner.controller, true);

    await client.delete(fdRef(ns, "erp"));
    await leftAfterDeletion(client, ns, []);
  },
);

operatorTest(
  "Delete -> Retain on a live FrappeDeployment takes the ownerReferences off its data",
  { namespace: "op-delete-retain" },
  async ({ client, transport, ns }) => {
    const deps = reconcileDeps(client);
    const key = keyOf(ns, "erp");
    const apply = (deletionPolicy: string) => applyFd(client, ns, "erp", { deletionPolicy });
    await apply("Delete");
    await reconcileUntilSteady(key, deps, transport);
    const owned = await dataOwnedAs(client, ns, ownedPerDelete);
    await apply("Retain");
    await reconcileUntilSteady(key, deps, transport);
    const retained = await dataOwnedAs(client, ns, unowned);
    for (const id of DATA) {
      assert.equal(retained.get(id)!.metadata.uid, owned.get(id)!.metadata.uid, id);
    }
    await client.delete(fdRef(ns, "erp"));
    await leftAfterDeletion(client, ns, DATA);
  },
);
