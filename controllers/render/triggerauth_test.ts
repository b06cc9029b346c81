import assert from "node:assert/strict";
import { type FrappeDeployment, parseFrappeDeployment } from "../../apis/frappedeployment.ts";
import type { RedisTrigger, ScaledObject, TriggerAuthentication } from "../../apis/keda.ts";
import { parseRedisUrl } from "./triggerauth.ts";
import { renderWorkers } from "./workers.ts";

function fd(spec: Record<string, unknown>): FrappeDeployment {
  const r = parseFrappeDeployment({
    apiVersion: "frappe-op.dev/v1alpha1",
    kind: "FrappeDeployment",
    metadata: { name: "erp", namespace: "t", uid: "u" },
    spec,
  });
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.value;
}

const ON = { short: { autoscaling: { enabled: true } } };
const external = (queue: Record<string, unknown>) => ({ redis: { queue: { external: queue } } });

function render(spec: Record<string, unknown>) {
  const objs = renderWorkers(fd(spec), { kedaAvailable: true });
  return {
    so: objs.find((o) => o.kind === "ScaledObject") as ScaledObject | undefined,
    ta: objs.find((o) => o.kind === "TriggerAuthentication") as TriggerAuthentication | undefined,
  };
}

Deno.test("managed Redis: password from the credentials Secret, only via the TriggerAuthentication", () => {
  const { so, ta } = render({ workers: ON });
  assert.equal(ta?.metadata.name, "erp-redis-queue-auth");
  assert.deepEqual(ta?.spec.secretTargetRef, [
    { parameter: "password", name: "erp-credentials", key: "redis-queue-password" },
  ]);
  assert.equal(ta?.metadata.ownerReferences?.[0].controller, true);
  for (const t of so!.spec.triggers) {
    assert.ok(!Object.keys(t.metadata).some((k) => /password/i.test(k)));
  }
});

Deno.test("no autoscaled worker: no TriggerAuthentication", () => {
  assert.equal(render({}).ta, undefined);
});

Deno.test("external Redis: address, database and TLS from the URL, user's Secret", () => {
  const { so, ta } = render({
    workers: ON,
    ...external({
      url: "rediss://redis.example.com:6380/3",
      passwordSecretRef: { name: "my-redis", key: "pw" },
    }),
  });
  const t = so!.spec.triggers[0] as RedisTrigger;
  assert.equal(t.metadata.address, "redis.example.com:6380");
  assert.equal(t.metadata.databaseIndex, "3");
  assert.equal(t.metadata.enableTLS, "true");
  assert.deepEqual(ta?.spec.secretTargetRef, [{
    parameter: "password",
    name: "my-redis",
    key: "pw",
  }]);
});

Deno.test("external Redis without password: no TriggerAuthentication, no authenticationRef", () => {
  const { so, ta } = render({ workers: ON, ...external({ url: "redis://r:6379", tls: true }) });
  assert.equal(ta, undefined);
  const t = so!.spec.triggers[0] as RedisTrigger;
  assert.equal(t.authenticationRef, undefined);
  assert.equal(t.metadata.enableTLS, "true");
  assert.equal(t.metadata.databaseIndex, "0");
});

Deno.test("parseRedisUrl: defaults and clear errors", () => {
  assert.deepEqual(parseRedisUrl("redis://h"), { address: "h:6379", databaseIndex: 0, tls: false });
  assert.deepEqual(parseRedisUrl("redis://[::1]:7000/2"), {
    address: "[::1]:7000",
    databaseIndex: 2,
    tls: false,
  });
  assert.throws(() => parseRedisUrl("redis://h:6379/abc"), /database must be a number/);
  assert.throws(() => parseRedisUrl("http://h"), /redis:\/\/ or rediss:\/\//);
});
