import assert from "node:assert/strict";
import type { KubeObject } from "../../kube/types.ts";
import { renderBench } from "./bench.ts";
import { makeFd, testCtx } from "./fixture.ts";

function render(spec: Record<string, unknown> = {}): Map<string, KubeObject> {
  const objects = renderBench(makeFd(spec), testCtx()).flatMap((p) => p.objects);
  return new Map(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
}

function get(objects: Map<string, KubeObject>, key: string): KubeObject {
  const o = objects.get(key);
  assert.ok(o, `${key} not rendered; have ${[...objects.keys()].join(", ")}`);
  return o;
}

const container = (o: KubeObject) => o.spec.template.spec.containers[0];
const objs = render();

Deno.test("scheduler: exactly one replica, Recreate, bench schedule", () => {
  const s = get(objs, "Deployment/erp-scheduler");
  assert.equal(s.spec.replicas, 1);
  assert.deepEqual(s.spec.strategy, { type: "Recreate" });
  assert.deepEqual(container(s).args, ["bench", "schedule"]);
  assert.equal(objs.has("Service/erp-scheduler"), false);
});

Deno.test("gunicorn: exec-form gunicorn with the spec's workers/threads on 8000", () => {
  const g = get(
    render({ web: { replicas: 3, workers: 5, threads: 2 } }),
    "Deployment/erp-gunicorn",
  );
  assert.equal(g.spec.replicas, 3);
  const args = container(g).args as string[];
  assert.equal(args[0], "/home/frappe/frappe-bench/env/bin/gunicorn");
  assert.ok(
    args.includes("--workers=5") && args.includes("--threads=2") &&
      args.includes("--bind=0.0.0.0:8000"),
  );
  assert.equal(args.at(-1), "frappe.app:application");
  assert.equal(container(g).command, undefined, "args keep the image entrypoint (asset links)");
});

Deno.test("frappe containers mount the sites volume from the PVC", () => {
  const g = get(objs, "Deployment/erp-gunicorn");
  assert.deepEqual(container(g).volumeMounts, [{
    name: "sites",
    mountPath: "/home/frappe/frappe-bench/sites",
  }]);
  assert.deepEqual(g.spec.template.spec.volumes, [{
    name: "sites",
    persistentVolumeClaim: { claimName: "erp-sites" },
  }]);
  assert.equal(g.spec.template.spec.securityContext.runAsUser, 1000);
});

Deno.test("nginx: frontend env points at gunicorn and socketio; one site names the header", () => {
  const n = get(objs, "Deployment/erp-nginx");
  const env = Object.fromEntries(
    container(n).env.map((e: { name: string; value: string }) => [e.name, e.value]),
  );
  assert.equal(env.BACKEND, "erp-gunicorn.tenant-a.svc:8000");
  assert.equal(env.SOCKETIO, "erp-socketio.tenant-a.svc:9000");
  assert.equal(env.FRAPPE_SITE_NAME_HEADER, "erp.example.com");
  assert.equal(env.UPSTREAM_REAL_IP_HEADER, "X-Forwarded-For");
  assert.deepEqual(container(n).args, ["nginx-entrypoint.sh"]);
  const two = render({ sites: [{ name: "a.com" }, { name: "b.com" }] });
  const env2 = container(get(two, "Deployment/erp-nginx")).env;
  assert.equal(
    env2.find((e: { name: string }) => e.name === "FRAPPE_SITE_NAME_HEADER").value,
    "$host",
  );
});

Deno.test("socketio: node socketio.js on 9000 with a Service", () => {
  const s = get(objs, "Deployment/erp-socketio");
  assert.deepEqual(container(s).args, [
    "node",
    "/home/frappe/frappe-bench/apps/frappe/socketio.js",
  ]);
  assert.equal(get(objs, "Service/erp-socketio").spec.ports[0].port, 9000);
});

Deno.test("mariadb: utf8mb4 server options, root password from the credentials Secret, volume", () => {
  const m = get(objs, "StatefulSet/erp-mariadb");
  const c = container(m);
  for (
    const a of [
      "--character-set-server=utf8mb4",
      "--collation-server=utf8mb4_unicode_ci",
      "--skip-character-set-client-handshake",
    ]
  ) {
    assert.ok(c.args.includes(a), a);
  }
  assert.deepEqual(c.env, [{
    name: "MARIADB_ROOT_PASSWORD",
    valueFrom: { secretKeyRef: { name: "erp-credentials", key: "mariadb-root-password" } },
  }]);
  assert.equal(m.spec.replicas, 1);
  assert.equal(m.spec.volumeClaimTemplates[0].spec.resources.requests.storage, "10Gi");
  assert.equal(get(objs, "Service/erp-mariadb").spec.clusterIP, "None");
  assert.equal(
    render({ database: { external: { host: "db", credentialsSecretRef: { name: "s" } } } }).has(
      "StatefulSet/erp-mariadb",
    ),
    false,
  );
});

Deno.test("redis queue: persistent AOF, requirepass from env, exec form", () => {
  const q = get(objs, "StatefulSet/erp-redis-queue");
  const c = container(q);
  assert.deepEqual(c.command, ["redis-server"]);
  const args = (c.args as string[]).join(" ");
  assert.match(args, /--appendonly yes/);
  assert.match(args, /--requirepass \$\(REDIS_PASSWORD\)/);
  assert.equal(c.env[0].valueFrom.secretKeyRef.key, "redis-queue-password");
  assert.deepEqual(c.volumeMounts, [{ name: "data", mountPath: "/data" }]);
  assert.equal(q.spec.volumeClaimTemplates[0].spec.resources.requests.storage, "1Gi");
});

Deno.test("redis cache: Deployment without persistence, password required", () => {
  const c = container(get(objs, "Deployment/erp-redis-cache"));
  const args = (c.args as string[]).join(" ");
  assert.match(args, /--appendonly no/);
  assert.match(args, /--requirepass \$\(REDIS_PASSWORD\)/);
  assert.equal(c.volumeMounts, undefined);
  assert.equal(c.env[0].valueFrom.secretKeyRef.key, "redis-cache-password");
});

Deno.test("sites PVC: ReadWriteMany with size and class; none with an existing claim", () => {
  const pvc = get(
    render({ storage: { storageClassName: "nfs", size: "20Gi" } }),
    "PersistentVolumeClaim/erp-sites",
  );
  assert.deepEqual(pvc.spec, {
    accessModes: ["ReadWriteMany"],
    storageClassName: "nfs",
    resources: { requests: { storage: "20Gi" } },
  });
  const own = render({ storage: { existingClaim: "mine" } });
  assert.equal(own.has("PersistentVolumeClaim/erp-sites"), false);
  const g = get(own, "Deployment/erp-gunicorn");
  assert.equal(g.spec.template.spec.volumes[0].persistentVolumeClaim.claimName, "mine");
});

Deno.test("pod knobs reach every pod: pull secrets, nodeSelector, tolerations, annotations, SA", () => {
  const knobs = {
    imagePullSecrets: [{ name: "reg" }],
    nodeSelector: { pool: "frappe" },
    tolerations: [{ key: "k", operator: "Exists" }],
    affinity: { nodeAffinity: {} },
    podAnnotations: { a: "b" },
    serviceAccountName: "frappe",
  };
  for (const o of render(knobs).values()) {
    const spec = o.spec?.template?.spec;
    if (!spec) continue;
    assert.deepEqual(spec.imagePullSecrets, knobs.imagePullSecrets, o.metadata.name);
    assert.deepEqual(spec.nodeSelector, knobs.nodeSelector, o.metadata.name);
    assert.deepEqual(spec.tolerations, knobs.tolerations, o.metadata.name);
    assert.deepEqual(spec.affinity, knobs.affinity, o.metadata.name);
    assert.equal(spec.serviceAccountName, "frappe", o.metadata.name);
    assert.equal(o.spec.template.metadata.annotations.a, "b", o.metadata.name);
  }
});
