import assert from "node:assert/strict";
import { ownerKey } from "./informers.ts";

Deno.test("child events map to the controlling FrappeDeployment's key", () => {
  const child = (refs: unknown[]) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "erp-gunicorn", namespace: "t1", ownerReferences: refs as never },
  });
  const fdRef = {
    apiVersion: "frappe-op.dev/v1alpha1",
    kind: "FrappeDeployment",
    name: "erp",
    uid: "u",
    controller: true,
  };
  assert.equal(ownerKey(child([fdRef])), "t1/erp");
  assert.equal(ownerKey(child([{ ...fdRef, controller: false }])), undefined);
  assert.equal(
    ownerKey(child([{ ...fdRef, kind: "ReplicaSet", apiVersion: "apps/v1" }])),
    undefined,
  );
  assert.equal(ownerKey(child([])), undefined);
});

Deno.test("a child without a FrappeDeployment controller maps through its instance label", () => {
  const secret = (labels?: Record<string, string>, ownerReferences?: unknown[]) => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: "erp-credentials",
      namespace: "t1",
      labels,
      ownerReferences: ownerReferences as never,
    },
  });
  const instance = { "app.kubernetes.io/instance": "erp" };
  assert.equal(ownerKey(secret(instance)), "t1/erp", "retained data has no owner");
  const sts = { apiVersion: "apps/v1", kind: "StatefulSet", name: "x", uid: "u", controller: true };
  assert.equal(ownerKey(secret(instance, [sts])), "t1/erp", "a StatefulSet's claim");
  assert.equal(ownerKey(secret()), undefined);
});
