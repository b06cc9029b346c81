import assert from "node:assert/strict";
import type { KubeObject } from "../../kube/types.ts";
import { type PhaseName, renderBench } from "./bench.ts";
import { CONFIG_HASH_ANNOTATION } from "./common.ts";
import { makeFd, testCtx } from "./fixture.ts";
import { childName } from "../../apis/naming.ts";
import { renderAll, renderAllObjects } from "./mod.ts";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const fd = makeFd({
  sites: [{ name: "erp.example.com", apps: ["erpnext"] }, { name: "b.example.com" }],
});
const objects = renderBench(fd, testCtx()).flatMap((p) => p.objects);

function podSpecs(o: KubeObject): Record<string, unknown>[] {
  const t = o.spec?.template?.spec;
  return t ? [t] : [];
}

Deno.test("rollout order: config and data stores first, then jobs, then apps", () => {
  const phases = renderBench(fd, testCtx());
  assert.deepEqual(
    phases.map((p) => p.phase),
    ["config", "data", "configure", "sites", "migrate", "apps"] satisfies PhaseName[],
  );
  const kinds = (i: number) => phases[i].objects.map((o) => `${o.kind}/${o.metadata.name}`);
  assert.ok(kinds(0).includes("Secret/erp-credentials") && kinds(0).includes("Secret/erp-config"));
  assert.ok(
    kinds(1).includes("StatefulSet/erp-mariadb") &&
      kinds(1).includes("StatefulSet/erp-redis-queue"),
  );
  assert.equal(phases[3].objects.length, 2);
  assert.ok(kinds(5).includes("Deployment/erp-scheduler"));
  assert.ok(
    phases.slice(0, 5).every((p) =>
      p.objects.every((o) => o.kind !== "Deployment" || o.metadata.name.includes("redis"))
    ),
  );
});

/** Kept under `deletionPolicy: Retain` (the default): rendered without an owner. */
const RETAINED = ["Secret/erp-credentials", "PersistentVolumeClaim/erp-sites"];

Deno.test("every object: contract labels, controller ownerReference, namespace, DNS-label name", () => {
  const deleting = makeFd({ ...fd.spec, deletionPolicy: "Delete" });
  for (const o of renderBench(deleting, testCtx()).flatMap((p) => p.objects)) {
    const id = `${o.kind}/${o.metadata.name}`;
    assert.match(o.metadata.name, DNS_LABEL, id);
    assert.ok(o.metadata.name.length <= 63, id);
    assert.equal(o.metadata.namespace, "tenant-a", id);
    const l = o.metadata.labels ?? {};
    assert.equal(l["app.kubernetes.io/name"], "frappe", id);
    assert.equal(l["app.kubernetes.io/instance"], "erp", id);
    assert.equal(l["app.kubernetes.io/managed-by"], "frappe-op", id);
    assert.equal(l["app.kubernetes.io/part-of"], "frappe-bench", id);
    assert.ok(l["app.kubernetes.io/component"], id);
    assert.deepEqual(o.metadata.ownerReferences, [{
      apiVersion: "frappe-op.dev/v1alpha1",
      kind: "FrappeDeployment",
      name: "erp",
      uid: "11111111-2222-3333-4444-555555555555",
      controller: true,
      blockOwnerDeletion: true,
    }], id);
  }
});

Deno.test("names stay valid DNS labels for a 63-character deployment name", () => {
  const long = makeFd(
    { sites: [{ name: "a-very-long-site-name.with.many.labels.example.com" }] },
    "x".repeat(63),
  );
  for (const o of renderAllObjects(long, testCtx())) {
    assert.match(o.metadata.name, DNS_LABEL, o.metadata.name);
    assert.ok(o.metadata.name.length <= 63, o.metadata.name);
    // StatefulSet pods get controller-revision-hash=<name>-<10 chars>, a 63-char label value.
    if (o.kind === "StatefulSet") assert.ok(o.metadata.name.length <= 52, o.metadata.name);
  }
});

Deno.test("pods: non-root, seccomp, no privilege escalation, capabilities dropped", () => {
  for (const o of objects) {
    for (const spec of podSpecs(o)) {
      const sc = spec.securityContext as Record<string, unknown>;
      assert.equal(sc.runAsNonRoot, true, o.metadata.name);
      assert.deepEqual(sc.seccompProfile, { type: "RuntimeDefault" }, o.metadata.name);
      for (const c of spec.containers as Record<string, Record<string, unknown>>[]) {
        assert.equal(c.securityContext.allowPrivilegeEscalation, false, o.metadata.name);
        assert.deepEqual(c.securityContext.capabilities, { drop: ["ALL"] }, o.metadata.name);
        assert.ok(Array.isArray(c.command ?? c.args), `${o.metadata.name}: exec form`);
      }
    }
  }
});

Deno.test("selectors match their pod template labels", () => {
  for (const o of objects.filter((x) => x.spec?.selector?.matchLabels)) {
    const labels = o.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(o.spec.selector.matchLabels)) {
      assert.equal(labels[k], v, o.metadata.name);
    }
  }
});

Deno.test("no ConfigMap is rendered, and no password appears outside Secrets", () => {
  assert.ok(!objects.some((o) => o.kind === "ConfigMap"));
  for (const o of objects.filter((x) => x.kind !== "Secret")) {
    const text = JSON.stringify(o);
    assert.ok(!/pw-\d/.test(text), `${o.kind}/${o.metadata.name} leaks a password`);
  }
});

Deno.test("render is deterministic: same input and credentials, deep-equal output", () => {
  const first = renderAll(fd, testCtx());
  const creds = first[0].objects[0];
  const a = renderAll(fd, testCtx({ existingCredentials: creds }));
  const b = renderAll(fd, { kedaAvailable: false, existingCredentials: structuredClone(creds) });
  assert.deepEqual(a, first);
  assert.deepEqual(b, first);
});

Deno.test("Frappe pods carry the config hash; a config change changes it", () => {
  const hash = (x: KubeObject[]) =>
    x.find((o) => o.metadata.name === "erp-gunicorn" && o.kind === "Deployment")?.spec.template
      .metadata.annotations[CONFIG_HASH_ANNOTATION];
  const before = hash(objects);
  assert.match(before, /^[0-9a-f]{8}$/);
  const changed = renderBench(makeFd({ benchId: "other" }), testCtx()).flatMap((p) => p.objects);
  assert.notEqual(hash(changed), before);
});

Deno.test("deletionPolicy Retain (default): data unowned, StatefulSet claims retained", () => {
  const ids = objects.filter((o) => !o.metadata.ownerReferences).map((o) =>
    `${o.kind}/${o.metadata.name}`
  );
  assert.deepEqual(ids.sort(), RETAINED.sort(), "only the data goes without an owner");
  const policies = (x: KubeObject[]) =>
    x.filter((o) => o.kind === "StatefulSet").map((o) =>
      o.spec.persistentVolumeClaimRetentionPolicy
    );
  assert.deepEqual(policies(objects), [
    { whenDeleted: "Retain", whenScaled: "Retain" },
    { whenDeleted: "Retain", whenScaled: "Retain" },
  ]);
  const deleting = renderBench(makeFd({ ...fd.spec, deletionPolicy: "Delete" }), testCtx())
    .flatMap((p) => p.objects);
  assert.ok(deleting.every((o) => o.metadata.ownerReferences?.length === 1));
  assert.deepEqual(policies(deleting), [
    { whenDeleted: "Delete", whenScaled: "Retain" },
    { whenDeleted: "Delete", whenScaled: "Retain" },
  ]);
});

Deno.test("a custom worker can never take the name of a child of a FrappeDeployment <fd>-worker", () => {
  const autoscaled = { autoscaling: { enabled: true } };
  const sibling = makeFd({
    workers: { short: autoscaled, long: autoscaled, default: autoscaled },
  }, "erp-worker");
  const kinds = new Set(["Deployment", "ScaledObject"]);
  const names = renderAllObjects(sibling, testCtx({ kedaAvailable: true }))
    .filter((o) => kinds.has(o.kind) && o.metadata.name.startsWith("erp-worker-"))
    .map((o) => o.metadata.name.slice("erp-worker-".length));
  assert.ok(names.includes("gunicorn") && names.includes("worker-short"), names.join());
  for (const name of names) {
    assert.throws(
      () => makeFd({ workers: { custom: [{ name, timeout: 60 }] } }, "erp"),
      /<fd>-worker/,
      `a custom worker "${name}" on erp would be ${childName(["erp", "worker", name])}`,
    );
  }
});
