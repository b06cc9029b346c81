import assert from "node:assert/strict";
import { z } from "zod";
import { CRD_NAME, frappeDeploymentCrd, structuralSchemaOf } from "./crd.ts";
import { NonStructuralError, structuralProblems, toStructural } from "./structural.ts";

type Node = Record<string, unknown>;
const crd = frappeDeploymentCrd();
const version = crd.spec.versions[0];
const root = version.schema.openAPIV3Schema as Node;

function at(path: string): Node {
  let node = root;
  for (const part of path.split(".")) node = (node.properties as Record<string, Node>)[part];
  assert.ok(node, path);
  return node;
}

function celMessages(node: Node): string[] {
  return ((node["x-kubernetes-validations"] ?? []) as { message: string }[]).map((r) => r.message);
}

Deno.test("CRD identity: name, group, scope, short names, category, status subresource", () => {
  assert.equal(crd.apiVersion, "apiextensions.k8s.io/v1");
  assert.equal(crd.metadata.name, "frappedeployments.frappe-op.dev");
  assert.equal(CRD_NAME, crd.metadata.name);
  assert.equal(crd.spec.scope, "Namespaced");
  assert.deepEqual(crd.spec.names.shortNames, ["fd", "frappe"]);
  assert.deepEqual(crd.spec.names.categories, ["frappe"]);
  assert.equal(version.name, "v1alpha1");
  assert.deepEqual(version.subresources, { status: {} });
  assert.deepEqual(version.additionalPrinterColumns.map((c: Node) => c.name), [
    "Phase",
    "Ready",
    "Bench",
    "Age",
  ]);
});

Deno.test("openAPIV3Schema is structural: a type on every node, no $ref/anyOf/const", () => {
  assert.deepEqual(structuralProblems(root), []);
  const text = JSON.stringify(root);
  assert.ok(!text.includes('"$ref"') && !text.includes('"$schema"') && !text.includes('"oneOf"'));
});

Deno.test("defaults and enums reach the CRD", () => {
  assert.equal(at("spec.frappeVersion").default, "15");
  assert.deepEqual(at("spec.frappeVersion").enum, ["14", "15", "16"]);
  // Not defaulted by the API server (managedUnlessSet): a stored `managed` would block a switch.
  for (const path of ["spec.database", "spec.redis.queue", "spec.redis.cache"]) {
    assert.equal(at(path).default, undefined, path);
  }
  assert.equal(at("spec.database.managed.image").default, "mariadb:10.6");
  assert.equal(at("spec.storage.size").default, "10Gi");
  assert.equal(at("spec.storage.accessMode").default, "ReadWriteMany");
  assert.equal(at("spec.networkPolicy.enabled").default, true);
  assert.deepEqual(at("status.phase").enum, ["Pending", "Progressing", "Ready", "Degraded"]);
});

Deno.test("CEL rules carry the same messages as zod", () => {
  assert.deepEqual(celMessages(at("spec.database")), ["set exactly one of managed or external"]);
  assert.deepEqual(celMessages(at("spec.redis.queue")), ["set exactly one of managed or external"]);
  assert.deepEqual(celMessages(at("spec.redis.cache")), ["set exactly one of managed or external"]);
  assert.ok(celMessages(at("spec.benchId"))[0].startsWith("benchId is immutable"));
  assert.ok(
    celMessages(at("spec")).some((m) => m.startsWith("benchId cannot be added or removed")),
  );
  assert.ok(
    celMessages(at("spec.storage")).some((m) =>
      m.startsWith("existingClaim is an existing volume")
    ),
  );
  assert.ok(celMessages(root)[0].startsWith("metadata.name must be a DNS label"));
});

Deno.test("the scheduler schema has no replicas or autoscaling field", () => {
  assert.deepEqual(Object.keys(at("spec.scheduler").properties as Node), ["resources"]);
});

Deno.test("sites are a map list keyed by name; quantities are int-or-string", () => {
  assert.equal(at("spec.sites")["x-kubernetes-list-type"], "map");
  assert.deepEqual(at("spec.sites")["x-kubernetes-list-map-keys"], ["name"]);
  const size = at("spec.storage.size");
  assert.equal(size["x-kubernetes-int-or-string"], true);
  assert.deepEqual(size.anyOf, [{ type: "integer" }, { type: "string" }]);
  assert.equal(typeof size.pattern, "string");
});

Deno.test("free-form maps become preserve-unknown objects or typed maps", () => {
  assert.equal(at("spec.affinity")["x-kubernetes-preserve-unknown-fields"], true);
  assert.deepEqual(at("spec.nodeSelector").additionalProperties, { type: "string" });
});

Deno.test("non-structural zod constructs are refused with the path", () => {
  assert.throws(
    () => structuralSchemaOf(z.object({ a: z.union([z.string(), z.boolean()]) }), "spec"),
    (err: Error) =>
      err.cause instanceof NonStructuralError && /spec\.a: a union type/.test(err.cause.message),
  );
  assert.throws(() => toStructural({ type: ["string", "null"] }, "x"), NonStructuralError);
  assert.deepEqual(toStructural({ const: "v1" }), { enum: ["v1"], type: "string" });
});

Deno.test("object unions (anyOf) are refused too", () => {
  const schema = z.object({ a: z.union([z.object({ x: z.string() }), z.object({ y: z.int() })]) });
  assert.throws(
    () => structuralSchemaOf(schema, "spec"),
    (err: Error) => /spec\.a: anyOf/.test(String(err.cause)),
  );
});
