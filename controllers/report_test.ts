import assert from "node:assert/strict";
import type { FrappeDeploymentStatus } from "../apis/status.ts";
import type { KubeObject } from "../kube/types.ts";
import type { ReconcileDeps } from "./deps.ts";
import { recordTransitions } from "./report.ts";

/** A FAKE event recorder that keeps what it was given. */
function recording() {
  const events: string[] = [];
  const deps = {
    events: {
      record: (_o: KubeObject, type: string, reason: string, message: string) => {
        events.push(`${type} ${reason}: ${message}`);
        return Promise.resolve();
      },
    },
  } as unknown as ReconcileDeps;
  return { events, deps };
}

const fdWith = (status: FrappeDeploymentStatus): KubeObject => ({
  apiVersion: "frappe-op.dev/v1alpha1",
  kind: "FrappeDeployment",
  metadata: { name: "erp", namespace: "ns" },
  status,
});
const none = { created: [], configured: [] };

Deno.test("events: a site whose new-site Job finished, and a finished migration, once each", async () => {
  const { events, deps } = recording();
  const before = fdWith({ sites: [{ name: "a.example.com", phase: "Creating" }] });
  const next: FrappeDeploymentStatus = {
    sites: [{ name: "a.example.com", phase: "Ready" }],
    imageMigrated: "frappe/erpnext:v15.1.0",
  };
  await recordTransitions(before, none, next, deps);
  assert.deepEqual(events, [
    "Normal SiteCreated: site a.example.com created",
    "Normal Migrated: sites migrated to frappe/erpnext:v15.1.0",
  ]);
  await recordTransitions(fdWith(next), none, next, deps);
  assert.equal(events.length, 2, "nothing changed: no event");
  await recordTransitions(
    fdWith(next),
    none,
    { ...next, imageMigrated: "frappe/erpnext:v15.2.0" },
    deps,
  );
  assert.equal(events.at(-1), "Normal Migrated: sites migrated to frappe/erpnext:v15.2.0");
});
