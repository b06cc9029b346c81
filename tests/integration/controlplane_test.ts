/**
 * The local control plane is real: these talk to the kube-apiserver, the
 * controller-manager and KEDA's CRDs started by hack/cluster-up.sh.
 */
import assert from "node:assert/strict";
import {
  ensureCluster,
  eventually,
  kubectl,
  kubectlOk,
  withNamespace,
} from "../support/cluster.ts";

const json = (s: string) => JSON.parse(s);

Deno.test("an object round-trips through the API server", async () => {
  await withNamespace("cp-roundtrip", async (ns) => {
    await kubectlOk(["create", "configmap", "rt", "-n", ns, "--from-literal=key=välue"]);
    const cm = json(await kubectlOk(["get", "configmap", "rt", "-n", ns, "-o", "json"]));
    assert.equal(cm.data.key, "välue");
    assert.ok(cm.metadata.uid);
  });
});

Deno.test("the server reports the pinned Kubernetes version", async () => {
  await ensureCluster();
  const v = json(await kubectlOk(["version", "-o", "json"]));
  const pinned = (await Deno.readTextFile(new URL("../../hack/versions.env", import.meta.url)))
    .match(/^K8S_VERSION=(\S+)/m)?.[1];
  assert.equal(v.serverVersion.gitVersion, pinned);
});

const widgetCrd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.cptest.frappe-op.dev" },
  spec: {
    group: "cptest.frappe-op.dev",
    names: { plural: "widgets", singular: "widget", kind: "Widget" },
    scope: "Namespaced",
    versions: [{
      name: "v1",
      served: true,
      storage: true,
      schema: {
        openAPIV3Schema: {
          type: "object",
          properties: {
            spec: {
              type: "object",
              properties: {
                size: { type: "integer", minimum: 1, description: "How big the widget is." },
              },
            },
          },
        },
      },
    }],
  },
};

Deno.test("a CRD registers and kubectl explain reads its schema", async () => {
  await ensureCluster();
  const crd = `crd/${widgetCrd.metadata.name}`;
  // A previous run's CRD may still be terminating: applying onto it would fail.
  await kubectl(["wait", "--for=delete", crd, "--timeout=60s"]);
  try {
    await kubectlOk(["apply", "--server-side", "-f", "-"], JSON.stringify(widgetCrd));
    await kubectlOk(["wait", "--for", "condition=Established", crd]);
    const explained = await eventually("explain", async () => {
      const r = await kubectl(["explain", "widgets.spec.size"]);
      return r.code === 0 ? r.stdout : undefined;
    });
    assert.match(explained, /How big the widget is\./);
    await withNamespace("cp-crd", async (ns) => {
      const bad = {
        apiVersion: "cptest.frappe-op.dev/v1",
        kind: "Widget",
        metadata: { name: "w", namespace: ns },
        spec: { size: 0 },
      };
      const r = await kubectl(["apply", "-f", "-"], JSON.stringify(bad));
      assert.notEqual(r.code, 0);
      assert.match(
        r.stderr,
        /spec\.size: Invalid value: 0: spec\.size in body should be greater than or equal to 1/,
      );
    });
  } finally {
    await kubectl(["delete", crd, "--ignore-not-found", "--timeout=60s"]);
  }
});

Deno.test("KEDA's ScaledObject CRD rejects an invalid object with a clear error", async () => {
  await withNamespace("cp-keda", async (ns) => {
    const bad = {
      apiVersion: "keda.sh/v1alpha1",
      kind: "ScaledObject",
      metadata: { name: "bad", namespace: ns },
      spec: { triggers: [{ type: "redis", metadata: { listName: "x" } }] },
    };
    const r = await kubectl(["apply", "-f", "-"], JSON.stringify(bad));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.scaleTargetRef: Required value/);
  });
});

Deno.test("the Deployment controller creates a ReplicaSet", async () => {
  await withNamespace("cp-deploy", async (ns) => {
    await kubectlOk([
      "create",
      "deployment",
      "web",
      "-n",
      ns,
      "--image=nginx:1.27",
      "--replicas=2",
    ]);
    const rs = await eventually("replicaset", async () => {
      const list = json(await kubectlOk(["get", "rs", "-n", ns, "-o", "json"]));
      return list.items.length > 0 ? list.items[0] : undefined;
    });
    assert.equal(rs.spec.replicas, 2);
    assert.equal(rs.metadata.ownerReferences[0].kind, "Deployment");
  });
});

Deno.test("the garbage collector deletes a child whose owner is deleted", async () => {
  await withNamespace("cp-gc", async (ns) => {
    await kubectlOk(["create", "configmap", "owner", "-n", ns]);
    const owner = json(await kubectlOk(["get", "configmap", "owner", "-n", ns, "-o", "json"]));
    const child = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "child",
        namespace: ns,
        ownerReferences: [{
          apiVersion: "v1",
          kind: "ConfigMap",
          name: "owner",
          uid: owner.metadata.uid,
        }],
      },
    };
    await kubectlOk(["apply", "-f", "-"], JSON.stringify(child));
    await kubectlOk(["delete", "configmap", "owner", "-n", ns]);
    await eventually("child deleted", async () => {
      const r = await kubectl(["get", "configmap", "child", "-n", ns]);
      return r.code !== 0 && /NotFound/.test(r.stderr) ? true : undefined;
    }, 60_000);
  });
});
