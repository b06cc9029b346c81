/**
 * Helpers for the Job lifecycle tests: the Jobs of a FrappeDeployment by
 * slot, and Jobs the test itself drives. A Job with `spec.managedBy` set to
 * anything but the built-in controller is skipped by kube-controller-manager
 * (JobManagedBy, GA in 1.35), so the test plays the Job controller: it sets
 * "running", "complete" or "failed" through the status subresource, which
 * the API server validates as it would the controller's own writes.
 */
import type { KubeClient } from "../../kube/client.ts";
import type { KubeObject } from "../../kube/types.ts";
import { parseFrappeDeployment } from "../../apis/frappedeployment.ts";
import { withAppliedHash } from "../../controllers/hash.ts";
import { JOB_SLOT_ANNOTATION } from "../../controllers/render/jobs.ts";
import { renderAllObjects } from "../../controllers/render/mod.ts";
import { fdRef } from "./operator_support.ts";

export const SITE = { name: "erp.example.com", apps: ["erpnext"] };
export const TEST_JOB_MANAGER = "frappe-op.dev/test-job-controller";

export interface JobSummary {
  slot: string;
  name: string;
  uid: string;
  complete: boolean;
  failed: boolean;
}

const isTrue = (job: KubeObject, type: string) =>
  (job.status?.conditions ?? []).some((c: { type: string; status: string }) =>
    c.type === type && c.status === "True"
  );

/** Jobs of the FrappeDeployment `name` not being deleted, by slot (one per slot, or it throws). */
export async function jobsOf(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<Map<string, JobSummary>> {
  const out = new Map<string, JobSummary>();
  for (const job of await jobList(client, namespace, name)) {
    const slot = job.metadata.annotations?.[JOB_SLOT_ANNOTATION] ?? "?";
    if (out.has(slot)) {
      throw new Error(`two Jobs in slot ${slot}: ${out.get(slot)!.name}, ${job.metadata.name}`);
    }
    out.set(slot, {
      slot,
      name: job.metadata.name,
      uid: job.metadata.uid!,
      complete: isTrue(job, "Complete"),
      failed: isTrue(job, "Failed"),
    });
  }
  return out;
}

export async function jobList(client: KubeClient, namespace: string, name: string) {
  const { items } = await client.list("batch/v1", "Job", {
    namespace,
    labelSelector: `app.kubernetes.io/instance=${name}`,
  });
  return items.filter((j) => !j.metadata.deletionTimestamp);
}

/** The Job the operator renders in `slot` for `fd` (as a test applies it) once it exists. */
export async function renderedJob(client: KubeClient, fd: KubeObject, slot: string) {
  const { namespace, name } = fd.metadata;
  const live = await client.get(fdRef(namespace!, name));
  if (!live) throw new Error(`FrappeDeployment ${name} does not exist`);
  const parsed = parseFrappeDeployment({
    ...fd,
    metadata: { ...fd.metadata, uid: live.metadata.uid, annotations: live.metadata.annotations },
  });
  if (!parsed.ok) throw new Error(parsed.errors.join("; "));
  // Migrate and new-site Jobs name the credentials Secret, never its values.
  const job = renderAllObjects(parsed.value, { kedaAvailable: true, randomPassword: () => "x" })
    .find((o) => o.kind === "Job" && o.metadata.annotations?.[JOB_SLOT_ANNOTATION] === slot);
  if (!job) throw new Error(`no Job rendered in slot ${slot}`);
  return job;
}

/**
 * Creates `job` (as rendered, applied hash included) driven by the test, not
 * by the Job controller, and marks it running.
 */
export async function createTestJob(client: KubeClient, job: KubeObject): Promise<KubeObject> {
  const hashed = await withAppliedHash(job);
  const created = await client.create({
    ...hashed,
    spec: { ...hashed.spec, managedBy: TEST_JOB_MANAGER },
  }, { fieldManager: "test" });
  await setJobStatus(client, created, "running");
  return created;
}

const START = "2025-01-01T00:00:00Z";

/** What the Job controller would write for a Job of one pod. */
export function setJobStatus(
  client: KubeClient,
  job: KubeObject,
  state: "running" | "complete" | "failed",
): Promise<KubeObject> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const cond = (type: string, reason: string) => ({
    type,
    status: "True",
    reason,
    message: `set by the test`,
    lastProbeTime: now,
    lastTransitionTime: now,
  });
  const status = state === "running"
    ? { startTime: START, active: 1, ready: 0 }
    : state === "complete"
    ? {
      startTime: START,
      completionTime: now,
      active: 0,
      ready: 0,
      succeeded: 1,
      conditions: [
        cond("SuccessCriteriaMet", "CompletionsReached"),
        cond("Complete", "CompletionsReached"),
      ],
    }
    : {
      startTime: START,
      active: 0,
      ready: 0,
      failed: 1,
      conditions: [
        cond("FailureTarget", "BackoffLimitExceeded"),
        cond("Failed", "BackoffLimitExceeded"),
      ],
    };
  const { apiVersion, kind, metadata: { name, namespace } } = job;
  return client.applyStatus(
    { apiVersion, kind, metadata: { name, namespace }, status },
    { fieldManager: "test-job-controller", force: true },
  );
}
