/**
 * A child name already controlled by another owner stops the reconcile
 * before anything is applied or pruned, and the condition names that owner.
 */
import assert from "node:assert/strict";
import { reconcile } from "../../controllers/reconcile.ts";
import {
  childrenOf,
  fdRef,
  frappeDeployment,
  idOf,
  keyOf,
  operatorTest,
  reconcileDeps,
} from "./operator_support.ts";

operatorTest("a child name controlled by another FrappeDeployment leaves nothing half-created", {
  namespace: "op-names",
  nodeAgent: false,
}, async ({ client, ns }) => {
  const apply = { fieldManager: "test", force: true };
  const other = await client.apply(frappeDeployment(ns, "other"), apply);
  // A Deployment with the name erp's gunicorn would have, controlled by `other`.
  await client.apply({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "erp-gunicorn",
      namespace: ns,
      ownerReferences: [{
        apiVersion: other.apiVersion,
        kind: other.kind,
        name: "other",
        uid: other.metadata.uid!,
        controller: true,
      }],
    },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: "x" } },
      template: {
        metadata: { labels: { app: "x" } },
        spec: { containers: [{ name: "x", image: "x" }] },
      },
    },
  }, apply);
  await client.apply(frappeDeployment(ns, "erp", { sites: [{ name: "erp.example.com" }] }), apply);

  await assert.rejects(reconcile(keyOf(ns, "erp"), reconcileDeps(client)), /erp-gunicorn/);
  const fd = await client.get(fdRef(ns, "erp"));
  const degraded = fd!.status.conditions.find((c: { type: string }) => c.type === "Degraded");
  assert.match(
    degraded.message,
    new RegExp(
      `Deployment/erp-gunicorn is controlled by FrappeDeployment other \\(uid ` +
        `${other.metadata.uid}\\), not by this FrappeDeployment`,
    ),
  );
  // Not even the credentials Secret: new passwords are stored only once every check has passed.
  assert.deepEqual((await childrenOf(client, ns, "erp")).map(idOf), []);
});
