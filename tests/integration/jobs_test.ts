/**
 * The one-shot Jobs against the real control plane (Job controller included;
 * the node agent completes Job pods after 2 s): what reruns them and what
 * does not.
 */
import assert from "node:assert/strict";
import {
  frappeDeployment,
  keyOf,
  operatorTest,
  reconcileDeps,
  reconcileUntilSteady,
} from "./operator_support.ts";
import { jobsOf, SITE } from "./jobs_support.ts";

operatorTest("pod annotations rerun no Job; a new image reruns configure and migrate once", {
  namespace: "op-jobs-rerun",
}, async ({ client, transport, ns }) => {
  const deps = reconcileDeps(client);
  const key = keyOf(ns, "erp");
  const apply = (spec: Record<string, unknown>) =>
    client.apply(frappeDeployment(ns, "erp", { sites: [SITE], ...spec }), {
      fieldManager: "test",
      force: true,
    });
  await apply({});
  await reconcileUntilSteady(key, deps, transport);
  const first = await jobsOf(client, ns, "erp");
  assert.deepEqual([...first.keys()].sort(), ["configure", "migrate", `new-site/${SITE.name}`]);

  await apply({ podAnnotations: { "example.com/team": "erp" }, nodeSelector: {} });
  await reconcileUntilSteady(key, deps, transport);
  const gunicorn = await client.get({
    apiVersion: "apps/v1",
    kind: "Deployment",
    namespace: ns,
    name: "erp-gunicorn",
  });
  assert.equal(gunicorn?.spec.template.metadata.annotations["example.com/team"], "erp");
  assert.deepEqual(await jobsOf(client, ns, "erp"), first, "the same Jobs, none recreated");

  await apply({ podAnnotations: { "example.com/team": "erp" }, image: "frappe/erpnext:v15.106.0" });
  await reconcileUntilSteady(key, deps, transport);
  const upgraded = await jobsOf(client, ns, "erp");
  const site = `new-site/${SITE.name}`;
  assert.deepEqual(upgraded.get(site), first.get(site), "new-site does not rerun");
  for (const slot of ["configure", "migrate"]) {
    const now = upgraded.get(slot)!;
    assert.notEqual(now.name, first.get(slot)!.name, `a new ${slot} Job`);
    assert.equal(now.complete, true, `${slot} ran`);
  }
  assert.equal(upgraded.size, 3, "the Jobs of the old image are pruned");
});
