import assert from "node:assert/strict";
import { makeFd } from "./fixture.ts";
import { buildNetworkPolicies } from "./networkpolicy.ts";

const fd = makeFd();

Deno.test("network policies: MariaDB and Redis admit only this deployment's pods", () => {
  const nps = buildNetworkPolicies(fd, { kedaAvailable: false });
  assert.deepEqual(nps.map((n) => n.metadata.name), [
    "erp-mariadb",
    "erp-redis-queue",
    "erp-redis-cache",
  ]);
  const db = nps[0].spec;
  assert.deepEqual(db.podSelector.matchLabels["app.kubernetes.io/component"], "mariadb");
  assert.deepEqual(db.ingress, [{
    from: [{
      podSelector: {
        matchLabels: { "app.kubernetes.io/name": "frappe", "app.kubernetes.io/instance": "erp" },
      },
    }],
    ports: [{ protocol: "TCP", port: 3306 }],
  }]);
  assert.equal(nps[1].spec.ingress[0].ports[0].port, 6379);
});

Deno.test("network policies: queue Redis also admits the operator and KEDA, each from its namespace", () => {
  const nps = buildNetworkPolicies(fd, {
    kedaAvailable: true,
    operatorNamespace: "frappe-op-system",
  });
  const from = nps[1].spec.ingress[0].from;
  assert.equal(from.length, 3);
  assert.deepEqual(from[1].namespaceSelector.matchLabels, {
    "kubernetes.io/metadata.name": "frappe-op-system",
  });
  assert.deepEqual(from[2].namespaceSelector.matchLabels, {
    "kubernetes.io/metadata.name": "keda",
  });
  assert.equal(nps[0].spec.ingress[0].from.length, 1, "MariaDB stays private");
});

Deno.test("network policies: none when disabled, none for external stores", () => {
  assert.deepEqual(
    buildNetworkPolicies(makeFd({ networkPolicy: { enabled: false } }), { kedaAvailable: false }),
    [],
  );
  const ext = makeFd({
    database: { external: { host: "db", credentialsSecretRef: { name: "s" } } },
  });
  assert.equal(buildNetworkPolicies(ext, { kedaAvailable: false }).length, 2);
});
