import assert from "node:assert/strict";
import { type FrappeDeployment, parseFrappeDeployment } from "../../apis/frappedeployment.ts";
import type { WorkersInput } from "../../apis/workers.ts";
import type { KubeObject } from "../../kube/types.ts";
import type { RedisTrigger, ScaledObject } from "../../apis/keda.ts";
import { renderWorkers, workerModes } from "./workers.ts";

function fd(name: string, namespace: string, workers: WorkersInput, extra = {}): FrappeDeployment {
  const r = parseFrappeDeployment({
    apiVersion: "frappe-op.dev/v1alpha1",
    kind: "FrappeDeployment",
    metadata: { name, namespace, uid: `uid-${namespace}-${name}` },
    spec: { workers, ...extra },
  });
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.value;
}

const ON = { autoscaling: { enabled: true } };
const KEDA = { kedaAvailable: true };
const byKind = (objs: KubeObject[], kind: string) => objs.filter((o) => o.kind === kind);
const deployment = (objs: KubeObject[], type: string) =>
  objs.find((o) =>
    o.kind === "Deployment" && o.metadata.labels?.["frappe-op.dev/worker"] === type
  )!;
const scaledObject = (objs: KubeObject[], type: string) =>
  objs.find((o) =>
    o.kind === "ScaledObject" && o.metadata.labels?.["frappe-op.dev/worker"] === type
  ) as ScaledObject;
const triggers = (so: ScaledObject) => so.spec.triggers as RedisTrigger[];

Deno.test("triggers watch rq:queue:<bench>:<q>, never the bare rq:queue:<q>", () => {
  const objs = renderWorkers(fd("erp", "tenant-a", { short: ON, long: ON }), KEDA);
  for (const type of ["short", "long"]) {
    const names = triggers(scaledObject(objs, type)).map((t) => t.metadata.listName);
    assert.deepEqual(names, [`rq:queue:tenant-a.erp:${type}`, `rq:wip:tenant-a.erp:${type}`]);
    assert.ok(!names.includes(`rq:queue:${type}`));
  }
});

Deno.test("spec.benchId, when set, is the key prefix", () => {
  const objs = renderWorkers(fd("erp", "t", { short: ON }, { benchId: "acme" }), KEDA);
  assert.equal(triggers(scaledObject(objs, "short"))[0].metadata.listName, "rq:queue:acme:short");
});

Deno.test("the first waiting job activates (activation 0); running jobs hold replicas", () => {
  const so = scaledObject(renderWorkers(fd("erp", "t", { short: ON }), KEDA), "short");
  const [waiting, running] = triggers(so);
  assert.equal(waiting.type, "redis");
  assert.equal(waiting.metadata.activationListLength, "0");
  assert.equal(waiting.metadata.listLength, "5");
  assert.equal(running.metadata.listName, "rq:wip:t.erp:short");
  assert.equal(running.metadata.listLength, "1");
  assert.equal(running.metadata.activationListLength, "0");
  assert.equal(waiting.metadata.address, "erp-redis-queue.t.svc:6379");
  assert.equal(waiting.metadata.databaseIndex, "0");
  assert.deepEqual(waiting.authenticationRef, { name: "erp-redis-queue-auth" });
});

Deno.test("one trigger pair per served queue; names unique", () => {
  const so = scaledObject(
    renderWorkers(fd("erp", "t", { short: { ...ON, queues: ["short", "default"] } }), KEDA),
    "short",
  );
  const names = triggers(so).map((t) => t.name);
  assert.equal(new Set(names).size, 4);
  assert.deepEqual(triggers(so).map((t) => t.metadata.listName), [
    "rq:queue:t.erp:short",
    "rq:wip:t.erp:short",
    "rq:queue:t.erp:default",
    "rq:wip:t.erp:default",
  ]);
});

Deno.test("grace periods cover the job timeouts; args are exec form bench worker", () => {
  const objs = renderWorkers(
    fd("erp", "t", { custom: [{ name: "reports", timeout: 3600 }] }),
    { kedaAvailable: false },
  );
  const expected = { short: 360, long: 1560, default: 360, reports: 3660 };
  for (const [type, grace] of Object.entries(expected)) {
    const pod = deployment(objs, type).spec.template.spec;
    assert.equal(pod.terminationGracePeriodSeconds, grace, type);
    const [c] = pod.containers;
    assert.deepEqual(c.args, ["bench", "worker", "--queue", type]);
    assert.equal(c.command, undefined, "the image's entrypoint must run, then exec the worker");
    assert.equal(c.lifecycle, undefined, "no preStop that signals again");
  }
  const multi = renderWorkers(fd("erp", "t", { short: { queues: ["short", "default"] } }), KEDA);
  assert.deepEqual(deployment(multi, "short").spec.template.spec.containers[0].args, [
    "bench",
    "worker",
    "--queue",
    "short,default",
  ]);
  assert.ok(!JSON.stringify(objs).includes("worker-pool"));
});

Deno.test("resources per type", () => {
  const objs = renderWorkers(fd("erp", "t", {}), KEDA);
  const res = (type: string) => deployment(objs, type).spec.template.spec.containers[0].resources;
  assert.deepEqual(res("long").limits, { cpu: "4000m", memory: "8Gi" });
  assert.deepEqual(res("short").requests, { cpu: "500m", memory: "1Gi" });
  assert.deepEqual(res("default").requests, { cpu: "200m", memory: "512Mi" });
});

Deno.test("autoscaled: no spec.replicas, KEDA annotations; static: explicit replicas", () => {
  const objs = renderWorkers(fd("erp", "t", { short: ON, long: { replicas: 3 } }), KEDA);
  const short = deployment(objs, "short");
  assert.ok(!("replicas" in short.spec));
  assert.deepEqual(short.metadata.annotations, {
    "frappe-op.dev/initial-replicas": "0",
    "frappe-op.dev/replicas-managed-by": "keda",
  });
  assert.equal(deployment(objs, "long").spec.replicas, 3);
  assert.equal(deployment(objs, "default").spec.replicas, 1);
  assert.equal(deployment(objs, "long").metadata.annotations, undefined);
  assert.equal(byKind(objs, "ScaledObject").length, 1);
});

Deno.test("HPA behaviour makes the cooldown real and scale-up fast; no restore surprise", () => {
  const long = { autoscaling: { enabled: true, cooldownPeriod: 90, maxReplicas: 7 } };
  const so = scaledObject(renderWorkers(fd("erp", "t", { long }), KEDA), "long");
  const behavior = so.spec.advanced?.horizontalPodAutoscalerConfig?.behavior;
  assert.equal(behavior?.scaleDown?.stabilizationWindowSeconds, 90);
  assert.equal(behavior?.scaleUp?.stabilizationWindowSeconds, 0);
  assert.ok(behavior?.scaleUp?.policies?.some((p) => p.type === "Pods" && p.value === 7));
  assert.equal(so.spec.advanced?.restoreToOriginalReplicaCount, false);
  assert.deepEqual(
    [
      so.spec.minReplicaCount,
      so.spec.maxReplicaCount,
      so.spec.cooldownPeriod,
      so.spec.pollingInterval,
    ],
    [0, 7, 90, 15],
  );
  assert.deepEqual(so.spec.scaleTargetRef, {
    apiVersion: "apps/v1",
    kind: "Deployment",
    name: "erp-worker-long",
  });
});

Deno.test("ScaledObject is owned by the FD and carries the standard labels", () => {
  const so = scaledObject(renderWorkers(fd("erp", "t", { short: ON }), KEDA), "short");
  assert.equal(so.metadata.namespace, "t");
  assert.deepEqual(so.metadata.ownerReferences?.[0], {
    apiVersion: "frappe-op.dev/v1alpha1",
    kind: "FrappeDeployment",
    name: "erp",
    uid: "uid-t-erp",
    controller: true,
    blockOwnerDeletion: true,
  });
  assert.equal(so.metadata.labels?.["app.kubernetes.io/component"], "worker-short");
  assert.equal(so.metadata.labels?.["app.kubernetes.io/managed-by"], "frappe-op");
});

Deno.test("long names give valid, distinct ScaledObject, HPA and Deployment names", () => {
  const dns = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  const custom = [{ name: "c".repeat(56), timeout: 60, ...ON }];
  const seen = new Set<string>();
  for (const name of ["a".repeat(63), "a".repeat(62) + "b"]) {
    const objs = renderWorkers(fd(name, "t", { short: ON, long: ON, custom }), KEDA);
    for (const o of [...byKind(objs, "ScaledObject"), ...byKind(objs, "Deployment")]) {
      assert.match(o.metadata.name, dns);
      assert.ok(o.metadata.name.length <= 63);
      assert.ok(!seen.has(`${o.kind}/${o.metadata.name}`), o.metadata.name);
      seen.add(`${o.kind}/${o.metadata.name}`);
    }
    for (const so of byKind(objs, "ScaledObject") as ScaledObject[]) {
      assert.ok(`keda-hpa-${so.metadata.name}`.length <= 63);
      const target = deployment(objs, so.metadata.labels!["frappe-op.dev/worker"]);
      assert.equal(so.spec.scaleTargetRef.name, target.metadata.name);
    }
  }
});

Deno.test("three tenants get distinct keys, names and Redis addresses", () => {
  const tenants = [
    fd("erp", "a", { short: ON }),
    fd("erp", "b", { short: ON }),
    fd("crm", "a", { short: ON }),
  ];
  const keys = new Set<string>();
  const addresses = new Set<string>();
  for (const t of tenants) {
    const so = scaledObject(renderWorkers(t, KEDA), "short");
    for (const tr of triggers(so)) keys.add(tr.metadata.listName);
    addresses.add(triggers(so)[0].metadata.address!);
  }
  assert.equal(keys.size, 6);
  assert.equal(addresses.size, 3);
});

Deno.test("KEDA missing: static max(minReplicas, 1), no ScaledObject or TriggerAuthentication", () => {
  const f = fd("erp", "t", { short: ON, long: { autoscaling: { enabled: true, minReplicas: 2 } } });
  const objs = renderWorkers(f, { kedaAvailable: false });
  assert.equal(byKind(objs, "ScaledObject").length, 0);
  assert.equal(byKind(objs, "TriggerAuthentication").length, 0);
  assert.equal(deployment(objs, "short").spec.replicas, 1);
  assert.equal(deployment(objs, "long").spec.replicas, 2);
  assert.equal(deployment(objs, "short").metadata.annotations, undefined);
  assert.deepEqual(workerModes(f, { kedaAvailable: false }), [
    { type: "short", mode: "static-fallback", replicas: 1 },
    { type: "long", mode: "static-fallback", replicas: 2 },
    { type: "default", mode: "static", replicas: 1 },
  ]);
  assert.deepEqual(workerModes(f, KEDA)[0], {
    type: "short",
    mode: "autoscaled",
    minReplicas: 0,
    maxReplicas: 10,
  });
});
