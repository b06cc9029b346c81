/**
 * The one-shot Jobs against the real control plane (Job controller included;
 * the node agent completes Job pods after 2 s): what reruns them and what
 * does not.
 */
import assert from "node:assert/strict";
import type { KubeObject } from "../../kube/types.ts";
import { JOB_SLOT_ANNOTATION } from "../../controllers/render/jobs.ts";
import { RETRY_ANNOTATION } from "../../apis/frappedeployment.ts";
import { reconcile } from "../../controllers/reconcile.ts";
import {
  applyFd,
  deployment,
  frappeDeployment,
  keyOf,
  operatorTest,
  reconcileDeps,
  reconcileUntil,
  reconcileUntilSteady,
} from "./operator_support.ts";
import { createTestJob, jobList, jobsOf, renderedJob, setJobStatus, SITE } from "./jobs_support.ts";

operatorTest("pod annotations rerun no Job; a new image reruns configure and migrate once", {
  namespace: "op-jobs-rerun",
}, async ({ client, transport, ns }) => {
  const deps = reconcileDeps(client);
  const key = keyOf(ns, "erp");
  const apply = (spec: Record<string, unknown>) =>
    applyFd(client, ns, "erp", { sites: [SITE], ...spec });
  await apply({});
  await reconcileUntilSteady(key, deps, transport);
  const first = await jobsOf(client, ns, "erp");
  assert.deepEqual([...first.keys()].sort(), ["configure", "migrate", `new-site/${SITE.name}`]);

  await apply({ podAnnotations: { "example.com/team": "erp" }, nodeSelector: {} });
  await reconcileUntilSteady(key, deps, transport);
  const gunicorn = await deployment(client, ns, "erp-gunicorn");
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

operatorTest("a running migrate Job is never pruned; the next one waits for it to finish", {
  namespace: "op-jobs-migrate",
}, async ({ client, transport, ns }) => {
  const deps = reconcileDeps(client);
  const key = keyOf(ns, "erp");
  const fdWith = (image?: string) =>
    frappeDeployment(ns, "erp", { sites: [SITE], ...(image ? { image } : {}) });
  const apply = (fd: KubeObject) => client.apply(fd, { fieldManager: "test", force: true });
  await apply(fdWith());
  await reconcileUntilSteady(key, deps, transport);

  // The migration to v15.106.0 is running (the test plays its Job controller).
  const b = fdWith("frappe/erpnext:v15.106.0");
  const running = await createTestJob(client, await renderedJob(client, b, "migrate"));
  await apply(b);
  await reconcileUntil(key, deps, transport, (fd) => fd.status?.phase === "Progressing");
  assert.equal((await jobsOf(client, ns, "erp")).get("migrate")?.uid, running.metadata.uid);

  // A newer image while it runs: the running Job stays, the next one waits.
  await apply(fdWith("frappe/erpnext:v15.107.0"));
  const waiting = `waiting for migrate job ${running.metadata.name} to finish`;
  const fd = await reconcileUntil(key, deps, transport, (fd) => progressing(fd).includes(waiting));
  assert.equal(fd.status.phase, "Progressing");
  const migrates = (await jobList(client, ns, "erp")).filter((j) =>
    j.metadata.annotations?.[JOB_SLOT_ANNOTATION] === "migrate"
  );
  assert.deepEqual(migrates.map((j) => j.metadata.uid), [running.metadata.uid], "not pruned");

  // Once it finishes, it is pruned and the migration to the newest image runs.
  await setJobStatus(client, running, "complete");
  await reconcileUntilSteady(key, deps, transport);
  const migrate = (await jobsOf(client, ns, "erp")).get("migrate")!;
  assert.notEqual(migrate.name, running.metadata.name);
  assert.equal(migrate.complete, true);
  assert.equal(
    migrate.name,
    (await renderedJob(client, fdWith("frappe/erpnext:v15.107.0"), "migrate")).metadata.name,
  );
});

/** The Progressing condition's message. */
function progressing(fd: KubeObject): string {
  const conditions: { type: string; message?: string }[] = fd.status?.conditions ?? [];
  return conditions.find((c) => c.type === "Progressing")?.message ?? "";
}

operatorTest("a failed Job stays failed until the retry annotation changes; then only it reruns", {
  namespace: "op-jobs-retry",
}, async ({ client, transport, ns }) => {
  const deps = reconcileDeps(client);
  const key = keyOf(ns, "erp");
  const fd = frappeDeployment(ns, "erp", { sites: [SITE] });
  await client.apply(fd, { fieldManager: "test", force: true });
  const slot = `new-site/${SITE.name}`;
  const failing = await createTestJob(client, await renderedJob(client, fd, slot));
  await setJobStatus(client, failing, "failed");

  const degraded = await reconcileUntil(
    key,
    deps,
    transport,
    (f) => f.status?.phase === "Degraded",
  );
  assert.match(progressing(degraded), new RegExp(`Job ${failing.metadata.name} failed`));
  const before = await jobsOf(client, ns, "erp");
  for (let i = 0; i < 3; i++) await reconcile(key, deps);
  assert.deepEqual(await jobsOf(client, ns, "erp"), before, "nothing reruns by itself");
  assert.equal(before.get(slot)?.uid, failing.metadata.uid);

  const retried = { ...fd, metadata: { ...fd.metadata, annotations: { [RETRY_ANNOTATION]: "1" } } };
  await client.apply(retried, { fieldManager: "test", force: true });
  await reconcileUntilSteady(key, deps, transport);
  const after = await jobsOf(client, ns, "erp");
  assert.notEqual(after.get(slot)!.uid, failing.metadata.uid, "the failed Job was replaced");
  assert.equal(after.get(slot)!.name, failing.metadata.name, "under the same name");
  assert.equal(after.get(slot)!.complete, true);
  assert.deepEqual(after.get("configure"), before.get("configure"), "a completed Job is not rerun");
});
