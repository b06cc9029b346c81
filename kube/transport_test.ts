import assert from "node:assert/strict";
import { apiErrorFrom, errorChain, isGone, KubeTransportError } from "./errors.ts";
import { resourceFor, resourcePath } from "./resources.ts";
import {
  APPLY_PATCH,
  CountingTransport,
  type KubeRequest,
  type Transport,
  verbOf,
} from "./transport.ts";

Deno.test("verbs are classified the way Kubernetes names them", () => {
  const v = (r: Partial<KubeRequest>) => verbOf({ method: "GET", path: "/", ...r } as KubeRequest);
  assert.equal(v({ path: "/apis/apps/v1/namespaces/a/deployments" }), "list");
  assert.equal(v({ path: "/apis/apps/v1/deployments" }), "list");
  assert.equal(v({ path: "/apis/apps/v1/namespaces/a/deployments/x" }), "get");
  assert.equal(v({ path: "/api/v1/namespaces/a" }), "get");
  assert.equal(v({ path: "/api/v1/namespaces" }), "list");
  assert.equal(v({ path: "/api/v1/namespaces/a/pods", query: { watch: true } }), "watch");
  assert.equal(v({ method: "PATCH", contentType: APPLY_PATCH }), "apply");
  assert.equal(v({ method: "PATCH" }), "patch");
  const dryRun = { dryRun: "All" };
  assert.equal(v({ method: "PATCH", contentType: APPLY_PATCH, query: dryRun }), "apply-dry-run");
  assert.equal(v({ method: "POST", query: dryRun }), "create-dry-run");
  assert.equal(v({ method: "POST" }), "create");
  assert.equal(v({ method: "DELETE" }), "delete");
});

Deno.test("CountingTransport counts reads and writes, failed or not", async () => {
  const inner: Transport = {
    request: (r) => r.method === "DELETE" ? Promise.reject(new Error("x")) : Promise.resolve({}),
    stream: () => Promise.resolve(new ReadableStream()),
    close: () => {},
  };
  const t = new CountingTransport(inner);
  await t.request({ method: "GET", path: "/api/v1/namespaces/a/pods" });
  await t.request({ method: "PATCH", path: "/x", contentType: APPLY_PATCH });
  await t.request({ method: "DELETE", path: "/x" }).catch(() => {});
  await t.stream({ method: "GET", path: "/api/v1/pods" });
  await t.request({ method: "POST", path: "/x", query: { dryRun: "All" } });
  assert.deepEqual(t.counts(), { list: 1, apply: 1, delete: 1, watch: 1, "create-dry-run": 1 });
  assert.equal(t.writes(), 2, "a dry run is not a write");
});

Deno.test("API errors carry status, reason and the server's message", () => {
  const body = JSON.stringify({
    kind: "Status",
    status: "Failure",
    reason: "Invalid",
    code: 422,
    message: 'FrappeDeployment.frappe-op.dev "x" is invalid: spec.image: Required value',
  });
  const err = apiErrorFrom(422, body, "PATCH", "/apis/x");
  assert.equal(err.status, 422);
  assert.equal(err.reason, "Invalid");
  assert.match(err.serverMessage, /^FrappeDeployment.*spec.image: Required value$/);
  assert.equal(apiErrorFrom(410, "", "GET", "/x").reason, "Expired");
  assert.ok(isGone(apiErrorFrom(410, "", "GET", "/x")));
  const wrapped = new KubeTransportError("GET /x: failed", { cause: new Error("ECONNREFUSED") });
  assert.equal(errorChain(wrapped), "GET /x: failed: caused by: ECONNREFUSED");
});

Deno.test("resource paths for core, grouped, cluster-scoped and subresources", () => {
  const deploy = resourceFor("apps/v1", "Deployment");
  assert.equal(resourcePath(deploy, { namespace: "a" }), "/apis/apps/v1/namespaces/a/deployments");
  assert.equal(
    resourcePath(resourceFor("frappe-op.dev/v1alpha1", "FrappeDeployment"), {
      namespace: "a",
      name: "x",
      subresource: "status",
    }),
    "/apis/frappe-op.dev/v1alpha1/namespaces/a/frappedeployments/x/status",
  );
  assert.equal(
    resourcePath(resourceFor("v1", "Secret"), { namespace: "a", name: "s" }),
    "/api/v1/namespaces/a/secrets/s",
  );
  assert.equal(
    resourcePath(resourceFor("apiextensions.k8s.io/v1", "CustomResourceDefinition"), {
      name: "x.y",
    }),
    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/x.y",
  );
  assert.throws(() => resourceFor("v1", "Nope"), /unknown kind Nope/);
});
