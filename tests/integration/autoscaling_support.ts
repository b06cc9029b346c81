/**
 * Shared checks of the autoscaling integration tests (autoscaling_test.ts,
 * autoscaling_specs_test.ts, autoscaling_keda_test.ts): reading the KEDA
 * objects of a FrappeDeployment, who owns
 * `spec.replicas`, and the exact ScaledObject a worker must get
 * (docs/autoscaling.md, FACTS.md section 7). Expected values are written out
 * here, not taken from the render code, so a render bug fails the tests.
 */
import assert from "node:assert/strict";
import { queueKey, startedKey } from "../../apis/naming.ts";
import type { KubeClient } from "../../kube/client.ts";
import type { KubeObject } from "../../kube/types.ts";
import { getObject } from "./operator_support.ts";

export const KEDA = "keda.sh/v1alpha1";

export const scaledObject = (client: KubeClient, ns: string, name: string) =>
  getObject(client, KEDA, "ScaledObject", ns, name);
export const triggerAuth = (client: KubeClient, ns: string, name: string) =>
  getObject(client, KEDA, "TriggerAuthentication", ns, name);

export async function kedaObjects(
  client: KubeClient,
  ns: string,
  kind: "ScaledObject" | "TriggerAuthentication",
) {
  return (await client.list(KEDA, kind, { namespace: ns })).items;
}

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  fieldsV1?: Record<string, Record<string, unknown>>;
}

/** Field managers that own `spec.replicas` of a live object, as `manager/operation`. */
export function replicasOwners(obj: KubeObject): string[] {
  const entries = (obj.metadata as { managedFields?: ManagedFieldsEntry[] }).managedFields ?? [];
  return entries
    .filter((e) => e.fieldsV1?.["f:spec"]?.["f:replicas"] !== undefined)
    .map((e) => `${e.manager}/${e.operation}`)
    .sort();
}

export interface ExpectedScaling {
  /** FrappeDeployment (the ScaledObject's controller). */
  fd: KubeObject;
  /** bench id: `<namespace>.<name>` unless spec.benchId. */
  benchId: string;
  name: string;
  deploymentName: string;
  worker: string;
  queues: string[];
  min: number;
  max: number;
  polling: number;
  cooldown: number;
  queueLength: number;
  /** `host:port` of the queue Redis Service. */
  address: string;
  authName: string;
}

/** Everything docs/autoscaling.md promises about one ScaledObject. */
export function assertScaledObject(so: KubeObject | undefined, want: ExpectedScaling): void {
  const what = `ScaledObject ${want.name}`;
  assert.ok(so, `${what} exists`);
  assert.equal(so.metadata.name, want.name);
  assert.deepEqual(so.spec.scaleTargetRef, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    name: want.deploymentName,
  }, `${what}: scaleTargetRef`);
  assert.equal(so.spec.minReplicaCount, want.min, `${what}: minReplicaCount`);
  assert.equal(so.spec.maxReplicaCount, want.max, `${what}: maxReplicaCount`);
  assert.equal(so.spec.pollingInterval, want.polling, `${what}: pollingInterval`);
  assert.equal(so.spec.cooldownPeriod, want.cooldown, `${what}: cooldownPeriod`);
  assert.equal(so.spec.advanced?.restoreToOriginalReplicaCount, false);
  const behavior = so.spec.advanced?.horizontalPodAutoscalerConfig?.behavior;
  assert.ok(behavior, `${what}: HPA behavior present`);
  assert.equal(
    behavior.scaleDown?.stabilizationWindowSeconds,
    want.cooldown,
    `${what}: scale-down window = cooldown`,
  );
  assert.equal(behavior.scaleUp?.stabilizationWindowSeconds, 0, `${what}: no scale-up window`);

  const expectedTriggers = want.queues.flatMap((q) => [
    {
      type: "redis",
      name: `${q}-waiting`,
      metadata: {
        address: want.address,
        databaseIndex: "0",
        activationListLength: "0",
        listName: queueKey(want.benchId, q),
        listLength: String(want.queueLength),
      },
      authenticationRef: { name: want.authName },
    },
    {
      type: "redis",
      name: `${q}-running`,
      metadata: {
        address: want.address,
        databaseIndex: "0",
        activationListLength: "0",
        listName: startedKey(want.benchId, q),
        listLength: "1",
      },
      authenticationRef: { name: want.authName },
    },
  ]);
  assert.deepEqual(so.spec.triggers, expectedTriggers, `${what}: triggers`);
  // The same keys spelled out, so a change of naming.ts itself fails here too.
  const listNames = so.spec.triggers.map((t: { metadata: { listName: string } }) =>
    t.metadata.listName
  );
  assert.deepEqual(
    listNames,
    want.queues.flatMap((q) => [`rq:queue:${want.benchId}:${q}`, `rq:wip:${want.benchId}:${q}`]),
  );
  for (const t of so.spec.triggers) {
    const keys = Object.keys(t.metadata).map((k) => k.toLowerCase());
    assert.ok(
      !keys.some((k) => k.includes("password")),
      `${what}: no password parameter in ${t.name}`,
    );
  }
  assertOwnedAndLabelled(so, want.fd, `worker-${want.worker}`);
  assert.equal(so.metadata.labels?.["frappe-op.dev/worker"], want.worker);
}

/** ownerReference controller=true to the FrappeDeployment, and the standard labels. */
export function assertOwnedAndLabelled(obj: KubeObject, fd: KubeObject, component: string): void {
  const what = `${obj.kind}/${obj.metadata.name}`;
  const controllers = (obj.metadata.ownerReferences ?? []).filter((r) => r.controller === true);
  assert.equal(controllers.length, 1, `${what}: one controller`);
  assert.equal(controllers[0].kind, "FrappeDeployment", what);
  assert.equal(controllers[0].name, fd.metadata.name, what);
  assert.equal(controllers[0].uid, fd.metadata.uid, what);
  const labels = obj.metadata.labels ?? {};
  assert.equal(labels["app.kubernetes.io/name"], "frappe", what);
  assert.equal(labels["app.kubernetes.io/instance"], fd.metadata.name, what);
  assert.equal(labels["app.kubernetes.io/component"], component, what);
  assert.equal(labels["app.kubernetes.io/managed-by"], "frappe-op", what);
  assert.equal(labels["app.kubernetes.io/part-of"], "frappe-bench", what);
}

/** The TriggerAuthentication maps `password` to the bench's own credentials Secret. */
export function assertTriggerAuth(
  ta: KubeObject | undefined,
  fd: KubeObject,
  credentials: string,
): void {
  assert.ok(ta, "TriggerAuthentication exists");
  assert.deepEqual(ta.spec, {
    secretTargetRef: [{ parameter: "password", name: credentials, key: "redis-queue-password" }],
  });
  assertOwnedAndLabelled(ta, fd, "autoscaling");
}

/** An autoscaled worker Deployment: frappe-op does not own replicas; exec-form `bench worker`. */
export function assertAutoscaledDeployment(
  d: KubeObject | undefined,
  queues: string[],
  grace: number,
): void {
  assert.ok(d, "worker Deployment exists");
  const what = `Deployment ${d.metadata.name}`;
  assert.ok(
    !replicasOwners(d).some((o) => o.startsWith("frappe-op/")),
    `${what}: frappe-op owns no replicas`,
  );
  assert.equal(d.metadata.annotations?.["frappe-op.dev/replicas-managed-by"], "keda", what);
  const pod = d.spec.template.spec;
  assert.ok(
    pod.terminationGracePeriodSeconds >= grace,
    `${what}: grace ${pod.terminationGracePeriodSeconds}`,
  );
  assert.equal(pod.terminationGracePeriodSeconds, grace, `${what}: documented default grace`);
  assert.equal(pod.containers.length, 1);
  const c = pod.containers[0];
  assert.equal(c.command, undefined, `${what}: the image's entrypoint runs args (no shell)`);
  assert.deepEqual(c.args, ["bench", "worker", "--queue", queues.join(",")], what);
}

/** A static worker Deployment: `replicas` explicit and applied by frappe-op. */
export function assertStaticDeployment(d: KubeObject | undefined, replicas: number): void {
  assert.ok(d, "worker Deployment exists");
  const what = `Deployment ${d.metadata.name}`;
  assert.equal(d.spec.replicas, replicas, `${what}: replicas`);
  assert.ok(replicasOwners(d).includes("frappe-op/Apply"), `${what}: frappe-op owns replicas`);
  assert.equal(d.metadata.annotations?.["frappe-op.dev/replicas-managed-by"], undefined, what);
}
