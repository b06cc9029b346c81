import assert from "node:assert/strict";
import type { KubeObject } from "../kube/types.ts";
import { assertNotForeign, isAutoscaledDeployment, replicaBoundsByTarget } from "./apply.ts";
import { appliedHashOf, canonicalJson, digest, withAppliedHash } from "./hash.ts";
import { readinessOf } from "./readiness.ts";
import { appliesField, clamp } from "./replicas.ts";

const deployment = (extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "erp-worker-short", namespace: "ns" },
  spec: {},
  ...extra,
});

Deno.test("the applied hash ignores key order and changes with content", async () => {
  assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }), '{"a":[{"c":3,"d":2}],"b":1}');
  assert.equal(await digest({ a: 1, b: 2 }), await digest({ b: 2, a: 1 }));
  const hashed = await withAppliedHash(deployment());
  const changed = await withAppliedHash(deployment({ spec: { paused: true } }));
  assert.match(appliedHashOf(hashed)!, /^[0-9a-f]{16}$/);
  assert.notEqual(appliedHashOf(hashed), appliedHashOf(changed));
});

Deno.test("managedFields tell who applies spec.replicas", () => {
  const obj = deployment();
  (obj.metadata as unknown as Record<string, unknown>).managedFields = [
    { manager: "frappe-op", operation: "Apply", fieldsV1: { "f:spec": { "f:template": {} } } },
    {
      manager: "frappe-op-replicas",
      operation: "Apply",
      fieldsV1: { "f:spec": { "f:replicas": {} } },
    },
    {
      manager: "kube-controller-manager",
      operation: "Update",
      fieldsV1: { "f:spec": { "f:replicas": {} } },
    },
  ];
  assert.equal(appliesField(obj, "frappe-op", ["spec", "replicas"]), false);
  assert.equal(appliesField(obj, "frappe-op-replicas", ["spec", "replicas"]), true);
  assert.equal(appliesField(obj, "kube-controller-manager", ["spec", "replicas"]), false, "Update");
  assert.equal(clamp(7, { min: 0, max: 5 }), 5);
  assert.equal(clamp(0, { min: 1, max: 5 }), 1);
});

Deno.test("autoscaled worker Deployments and their bounds are recognised", () => {
  const auto = deployment({
    metadata: {
      name: "w",
      annotations: { "frappe-op.dev/initial-replicas": "0" },
    },
  });
  assert.ok(isAutoscaledDeployment(auto));
  assert.ok(!isAutoscaledDeployment(deployment({ spec: { replicas: 2 } })));
  const so = {
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    metadata: { name: "so" },
    spec: { scaleTargetRef: { name: "w" }, minReplicaCount: 0, maxReplicaCount: 7 },
  };
  assert.deepEqual(replicaBoundsByTarget([auto, so]).get("w"), { min: 0, max: 7 });
});

Deno.test("a child controlled by another owner is never taken over", () => {
  const owned = (uid: string) =>
    deployment({
      metadata: {
        name: "x",
        ownerReferences: [{
          apiVersion: "v",
          kind: "FrappeDeployment",
          name: "erp",
          uid,
          controller: true,
        }],
      },
    });
  assert.doesNotThrow(() => assertNotForeign(owned("a"), "a"));
  assert.doesNotThrow(() => assertNotForeign(undefined, "a"));
  const unowned = { ...owned("a"), metadata: { name: "x" } };
  assert.doesNotThrow(() => assertNotForeign(unowned, "a"), "a retained object is adopted");
  assert.throws(
    () => assertNotForeign(owned("b"), "a"),
    /x is controlled by FrappeDeployment erp \(uid b\), not by this FrappeDeployment/,
  );
});

Deno.test("readiness of workloads and Jobs", () => {
  const sts = {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "db", generation: 2 },
    spec: { replicas: 1 },
    status: { observedGeneration: 2, readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1 },
  };
  assert.equal(readinessOf(sts).ready, true);
  assert.equal(
    readinessOf({ ...sts, status: { ...sts.status, observedGeneration: 1 } }).ready,
    false,
  );
  const job = (type: string) => ({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "j" },
    status: { conditions: [{ type, status: "True", reason: "BackoffLimitExceeded" }] },
  });
  assert.equal(readinessOf(job("Complete")).ready, true);
  const failed = readinessOf(job("Failed"));
  assert.equal(failed.failed, true);
  assert.match(failed.message, /Job j failed: BackoffLimitExceeded/);
  assert.equal(
    readinessOf({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" } }).ready,
    true,
  );
});
