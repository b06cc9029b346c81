/**
 * `frappe-op manifests | kubectl apply --server-side -f -` against the real
 * API server: the install objects are accepted in the printed order, and the
 * operator's ServiceAccount gets exactly the permissions RBAC declares.
 * Cleans up what it created except the CRD (shared with the other tests).
 */
import assert from "node:assert/strict";
import { captureIo } from "../../cli/io.ts";
import { manifests } from "../../cli/manifests.ts";
import { ensureCluster, kubectl, kubectlOk } from "../support/cluster.ts";

const NS = "frappe-op-system";
const SA = `system:serviceaccount:${NS}:frappe-op`;

async function cleanUp(): Promise<void> {
  await kubectl(["delete", "namespace", NS, "--wait=false", "--ignore-not-found"]);
  await kubectl(["delete", "clusterrolebinding,clusterrole", "frappe-op", "--ignore-not-found"]);
}

Deno.test("manifests CLI: the output installs with kubectl apply --server-side", async () => {
  await ensureCluster();
  // A previous run's namespace may still be terminating.
  await kubectl(["wait", "--for=delete", `namespace/${NS}`, "--timeout=120s"]);
  const io = captureIo();
  assert.equal(await manifests(["--image", "frappe-op:it"], io), 0);
  try {
    const applied = await kubectlOk(
      ["apply", "--server-side", "--force-conflicts", "--field-manager=frappe-op-tests", "-f", "-"],
      io.stdout(),
    );
    for (const what of ["namespace/", "customresourcedefinition", "clusterrole", "deployment"]) {
      assert.match(applied, new RegExp(what), applied);
    }
    const image = await kubectlOk([
      "get",
      "deployment/frappe-op",
      "-n",
      NS,
      "-o",
      "jsonpath={.spec.template.spec.containers[0].image}",
    ]);
    assert.equal(image, "frappe-op:it");
    const can = (verb: string, resource: string, ns = "shop") =>
      kubectl(["auth", "can-i", verb, resource, "-n", ns, "--as", SA]);
    // What the operator's code sends: watches, server-side apply (patch) of children, of the
    // FrappeDeployment's annotation and status, Events read and applied, the Lease.
    const needed: [string, string, string?][] = [
      ["watch", "frappedeployments.frappe-op.dev"],
      ["patch", "frappedeployments.frappe-op.dev"],
      ["patch", "deployments.apps"],
      ["delete", "jobs.batch"],
      ["create", "secrets"],
      ["patch", "scaledobjects.keda.sh"],
      ["get", "events"],
      ["patch", "events"],
      ["get", "customresourcedefinitions.apiextensions.k8s.io"],
      ["update", "leases.coordination.k8s.io", NS],
    ];
    for (const [verb, resource, ns] of needed) {
      assert.equal((await can(verb, resource, ns)).stdout.trim(), "yes", `${verb} ${resource}`);
    }
    const status = await kubectl([
      "auth",
      "can-i",
      "patch",
      "frappedeployments.frappe-op.dev",
      "--subresource=status",
      "-n",
      "shop",
      "--as",
      SA,
    ]);
    assert.equal(status.stdout.trim(), "yes", "patch frappedeployments/status");
    assert.equal((await can("delete", "pods")).stdout.trim(), "no");
    assert.equal((await can("update", "leases.coordination.k8s.io", "shop")).stdout.trim(), "no");
  } finally {
    await cleanUp();
  }
});
