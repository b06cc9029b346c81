import assert from "node:assert/strict";
import { manifestFiles, operatorDeployment } from "./manifests.ts";
import { CLUSTER_RULES } from "./rbac.ts";
import { parseFrappeDeployment } from "./frappedeployment.ts";
import { fullSample, minimalSample } from "./samples.ts";

const ROOT = new URL("../manifests/", import.meta.url);

Deno.test("checked-in manifests/ match what apis/ generates (run hack/gen-manifests.ts)", async () => {
  const stale: string[] = [];
  for (const [path, content] of Object.entries(manifestFiles())) {
    let onDisk = "";
    try {
      onDisk = await Deno.readTextFile(new URL(path, ROOT));
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    if (onDisk !== content) stale.push(path);
  }
  assert.deepEqual(stale, [], "stale: deno run -A hack/gen-manifests.ts");
});

Deno.test("kustomization lists every generated install file and no sample", () => {
  const files = manifestFiles();
  const kustomization = files["kustomization.yaml"];
  const installFiles = Object.keys(files).filter((p) => p !== "kustomization.yaml");
  for (const path of installFiles) {
    assert.equal(kustomization.includes(`- ${path}\n`), !path.startsWith("samples/"), path);
  }
});

Deno.test("samples are valid FrappeDeployments; full autoscales short and long", () => {
  assert.equal(parseFrappeDeployment(minimalSample()).ok, true);
  const full = parseFrappeDeployment(fullSample());
  assert.ok(full.ok, full.ok ? "" : full.errors.join("\n"));
  const workers = full.value.spec.workers as Record<
    string,
    { autoscaling?: { enabled?: boolean } }
  >;
  assert.equal(workers.short.autoscaling?.enabled, true);
  assert.equal(workers.long.autoscaling?.enabled, true);
});

Deno.test("RBAC: no wildcards; only the resources and verbs the operator uses", () => {
  for (const rule of CLUSTER_RULES) {
    assert.ok(!rule.verbs.includes("*") && !rule.resources.includes("*"), JSON.stringify(rule));
    assert.ok(!rule.apiGroups.includes("*"), JSON.stringify(rule));
  }
  const events = CLUSTER_RULES.find((r) => r.resources.includes("events"));
  assert.deepEqual(events?.verbs, ["get", "create", "patch"]);
  const crds = CLUSTER_RULES.find((r) => r.resources.includes("customresourcedefinitions"));
  assert.deepEqual(crds?.verbs, ["get", "list", "watch"]);
  for (const unused of ["pods", "configmaps"]) {
    assert.equal(CLUSTER_RULES.find((r) => r.resources.includes(unused)), undefined, unused);
  }
  const pvcs = CLUSTER_RULES.find((r) => r.resources.includes("persistentvolumeclaims"));
  assert.ok(!pvcs?.verbs.includes("delete"), "PVCs are never pruned");
  const status = CLUSTER_RULES.find((r) => r.resources.some((x) => x.endsWith("/status")));
  assert.deepEqual(status?.verbs, ["get", "patch"]);
});

Deno.test("operator Deployment: non-root, read-only root, limits, probes on 8081, leader election", () => {
  const d = operatorDeployment();
  const pod = d.spec.template.spec;
  const c = pod.containers[0];
  assert.equal(d.metadata.namespace, "frappe-op-system");
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.ok(c.resources.limits.cpu && c.resources.limits.memory);
  assert.deepEqual(c.args, ["run", "--leader-elect"]);
  assert.equal(c.livenessProbe.httpGet.path, "/healthz");
  assert.equal(c.readinessProbe.httpGet.path, "/readyz");
  const health = c.ports.find((p: { name: string }) => p.name === "health");
  assert.equal(health.containerPort, 8081);
});
