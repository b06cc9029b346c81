import assert from "node:assert/strict";
import { KubeClient } from "../kube/client.ts";
import { KubeApiError } from "../kube/errors.ts";
import type { KubeRequest, Transport } from "../kube/transport.ts";
import { childName, SCALED_OBJECT_NAME_MAX } from "../apis/naming.ts";
import { parseFrappeDeployment } from "../apis/frappedeployment.ts";
import type { KubeObject } from "../kube/types.ts";
import { queueTarget } from "../controllers/queue_depth.ts";
import { testCtx } from "../controllers/render/fixture.ts";
import { renderWorkers } from "../controllers/render/workers.ts";
import { EXIT, LoadtestError } from "./errors.ts";
import { KubeClusterView, parseCpu, parseMemoryGiB } from "./cluster.ts";

function deployment(name: string, replicas: number, cpu: string, memory: string) {
  return {
    metadata: { name, namespace: "shop" },
    spec: {
      replicas,
      template: { spec: { containers: [{ resources: { requests: { cpu, memory } } }] } },
    },
  };
}

class FakeApi implements Transport {
  requests: KubeRequest[] = [];
  objects: Record<string, unknown> = {
    "/apis/frappe-op.dev/v1alpha1/namespaces/shop/frappedeployments/a": {
      apiVersion: "frappe-op.dev/v1alpha1",
      kind: "FrappeDeployment",
      metadata: { name: "a", namespace: "shop" },
      spec: {
        frappeVersion: "16",
        sites: [{ name: "a.example.com" }],
        workers: { custom: [{ name: "pdf", timeout: 900 }] },
      },
      status: { benchId: "shop.a" },
    },
    "/api/v1/namespaces/shop/secrets/a-credentials": {
      data: { "redis-queue-password": btoa("pa:ss") },
    },
    "/apis/apps/v1/namespaces/shop/deployments": {
      metadata: { resourceVersion: "7" },
      items: [
        deployment("a-worker-short", 3, "500m", "1Gi"),
        deployment("a-worker-default", 1, "200m", "512Mi"),
        deployment("a-gunicorn", 2, "1", "2Gi"),
      ],
    },
    "/apis/keda.sh/v1alpha1/namespaces/shop/scaledobjects/a-worker-short": {
      spec: { minReplicaCount: 0, maxReplicaCount: 10 },
    },
  };
  request(req: KubeRequest): Promise<unknown> {
    this.requests.push(req);
    const obj = this.objects[req.path];
    if (obj) return Promise.resolve(structuredClone(obj));
    return Promise.reject(new KubeApiError(404, "NotFound", "not found", req.method, req.path));
  }
  stream(): Promise<ReadableStream<Uint8Array>> {
    return Promise.reject(new Error("no watch"));
  }
  close() {}
}

Deno.test("cluster: benchTarget of an external queue Redis uses its URL, TLS and Secret", async () => {
  const api = new FakeApi();
  const fd = api.objects["/apis/frappe-op.dev/v1alpha1/namespaces/shop/frappedeployments/a"] as {
    spec: Record<string, unknown>;
  };
  fd.spec.redis = {
    queue: {
      external: {
        url: "redis://redis.example.com:6380/2",
        tls: true,
        passwordSecretRef: { name: "ext-redis", key: "pw" },
      },
    },
  };
  api.objects["/api/v1/namespaces/shop/secrets/ext-redis"] = { data: { pw: btoa("p@ss:w/rd") } };
  const t = await new KubeClusterView(new KubeClient(api)).benchTarget("shop", "a");
  assert.equal(t.redisUrl, "rediss://redis.example.com:6380/2");
  assert.equal(t.redisPassword, "p@ss:w/rd");
});

Deno.test("cluster: benchTarget of a long-named bench finds its hashed Service and workers", async () => {
  const api = new FakeApi();
  const long = "b".repeat(60);
  api.objects[`/apis/frappe-op.dev/v1alpha1/namespaces/shop/frappedeployments/${long}`] = {
    apiVersion: "frappe-op.dev/v1alpha1",
    kind: "FrappeDeployment",
    metadata: { name: long, namespace: "shop" },
    spec: { sites: [{ name: "b.example.com" }] },
  };
  const worker = deployment("b".repeat(45) + "-0123abcd", 2, "500m", "1Gi");
  (worker.metadata as Record<string, unknown>).labels = { "frappe-op.dev/worker": "short" };
  api.objects["/apis/apps/v1/namespaces/shop/deployments"] = {
    metadata: { resourceVersion: "8" },
    items: [worker],
  };
  const soName = childName([long, "worker", "short"], SCALED_OBJECT_NAME_MAX);
  api.objects[`/apis/keda.sh/v1alpha1/namespaces/shop/scaledobjects/${soName}`] = {
    spec: { minReplicaCount: 0, maxReplicaCount: 4 },
  };
  const t = await new KubeClusterView(new KubeClient(api)).benchTarget("shop", long);
  assert.deepEqual(t.workers.map((w) => [w.deployment, w.type, w.minReplicas, w.maxReplicas]), [
    [worker.metadata.name, "short", 0, 4],
  ]);
  const host = new URL(t.redisUrl).hostname;
  assert.ok(host.split(".")[0].length <= 52, host);
  assert.match(host, /^b+-[0-9a-f]{8}\.shop\.svc$/);
});

Deno.test("cluster: benchTarget reads bench id, Redis, password, site, workers", async () => {
  const api = new FakeApi();
  const view = new KubeClusterView(new KubeClient(api));
  const t = await view.benchTarget("shop", "a");
  assert.equal(t.benchId, "shop.a");
  assert.equal(t.redisUrl, "redis://a-redis-queue.shop.svc:6379/0");
  assert.equal(t.redisPassword, "pa:ss");
  assert.equal(t.site, "a.example.com");
  assert.equal(t.siteCount, 1);
  assert.equal(t.frappeVersion, 16);
  assert.deepEqual(t.queueTimeouts, { pdf: 900 });
  assert.deepEqual(t.workers, [
    {
      tenant: "shop/a",
      deployment: "a-worker-short",
      type: "short",
      cpu: 0.5,
      memoryGiB: 1,
      minReplicas: 0,
      maxReplicas: 10,
      autoscaled: true,
    },
    {
      tenant: "shop/a",
      deployment: "a-worker-default",
      type: "default",
      cpu: 0.2,
      memoryGiB: 0.5,
      minReplicas: 1,
      maxReplicas: 1,
      autoscaled: false,
    },
  ]);
  const list = api.requests.find((r) => r.path.endsWith("/deployments"));
  assert.match(String(list?.query?.labelSelector), /app\.kubernetes\.io\/instance=a/);
  assert.deepEqual(await view.workerReplicas("shop", "a"), {
    "a-worker-short": 3,
    "a-worker-default": 1,
  });
});

Deno.test("cluster: quantities", () => {
  assert.equal(parseCpu("250m"), 0.25);
  assert.equal(parseCpu("2"), 2);
  assert.equal(parseMemoryGiB("2Gi"), 2);
  assert.equal(parseMemoryGiB("1536Mi"), 1.5);
  assert.equal(parseMemoryGiB("1G"), 1e9 / 2 ** 30);
  assert.equal(parseMemoryGiB(undefined), 0);
});

Deno.test("cluster: a missing password Secret or key is named, not sent as no password", async () => {
  const api = new FakeApi();
  delete api.objects["/api/v1/namespaces/shop/secrets/a-credentials"];
  const view = new KubeClusterView(new KubeClient(api));
  const t = await view.benchTarget("shop", "a");
  assert.equal(t.redisPassword, undefined);
  assert.equal(
    t.redisPasswordMissing,
    "Secret shop/a-credentials (generated by the operator) not found",
  );
  api.objects["/api/v1/namespaces/shop/secrets/a-credentials"] = { data: { other: btoa("x") } };
  assert.match(
    (await view.benchTarget("shop", "a")).redisPasswordMissing!,
    /Secret shop\/a-credentials \(generated by the operator\) has no key "redis-queue-password"/,
  );
});

/** The FrappeDeployment of FakeApi as the operator sees it (parsed, with defaults). */
function parsedFd(api: FakeApi) {
  const parsed = parseFrappeDeployment(
    api.objects["/apis/frappe-op.dev/v1alpha1/namespaces/shop/frappedeployments/a"],
  );
  if (!parsed.ok) throw new Error(parsed.errors.join("; "));
  return parsed.value;
}

for (
  const [what, redis] of [
    ["the managed Service", undefined],
    ["an external Redis with TLS", {
      queue: { external: { url: "redis://q.example.com:6380/3", tls: true } },
    }],
  ] as const
) {
  Deno.test(`cluster: the load test reads the queue Redis KEDA and status read (${what})`, async () => {
    const api = new FakeApi();
    const obj = api.objects["/apis/frappe-op.dev/v1alpha1/namespaces/shop/frappedeployments/a"] as {
      spec: Record<string, unknown>;
    };
    if (redis) obj.spec.redis = redis;
    const t = await new KubeClusterView(new KubeClient(api)).benchTarget("shop", "a");
    const fd = parsedFd(api);
    fd.spec.workers.short.autoscaling.enabled = true;
    const credentials = {
      data: { "redis-queue-password": btoa("pa:ss") },
    } as unknown as KubeObject;
    // The operator's queue observer (status.workers[].queueDepth).
    assert.equal(t.redisUrl, queueTarget(fd, testCtx({ existingCredentials: credentials })).url);
    // KEDA's triggers: the same host:port, database and TLS.
    const so = renderWorkers(fd, testCtx({ kedaAvailable: true }))
      .find((o) => o.kind === "ScaledObject");
    const trigger = (so?.spec as { triggers: { metadata: Record<string, string> }[] }).triggers[0];
    const url = new URL(t.redisUrl);
    assert.equal(`${url.hostname}:${url.port}`, trigger.metadata.address);
    assert.equal(url.pathname, `/${trigger.metadata.databaseIndex}`);
    assert.equal(url.protocol === "rediss:", trigger.metadata.enableTLS === "true");
    if (!redis) assert.match(trigger.metadata.address, /\.shop\.svc:6379$/);
  });
}

Deno.test("cluster: a FrappeDeployment whose spec does not validate is named with its errors", async () => {
  const api = new FakeApi();
  const obj = api.objects["/apis/frappe-op.dev/v1alpha1/namespaces/shop/frappedeployments/a"] as {
    spec: Record<string, unknown>;
  };
  obj.spec.frappeVersion = "13";
  const err = await new KubeClusterView(new KubeClient(api)).benchTarget("shop", "a")
    .catch((e) => e);
  assert.ok(err instanceof LoadtestError, String(err));
  assert.equal(err.exitCode, EXIT.kubeApi);
  assert.match(err.message, /^FrappeDeployment shop\/a does not validate .*spec\.frappeVersion/);
});
