import assert from "node:assert/strict";
import { benchIdOf, DEFAULT_IMAGE, parseFrappeDeployment } from "./frappedeployment.ts";

const fd = (
  spec: unknown,
  metadata: Record<string, unknown> = { name: "erp", namespace: "t1" },
) => ({
  apiVersion: "frappe-op.dev/v1alpha1",
  kind: "FrappeDeployment",
  metadata,
  spec,
});

function errorsOf(obj: unknown): string[] {
  const r = parseFrappeDeployment(obj);
  assert.equal(r.ok, false, "expected a validation error");
  return r.ok ? [] : r.errors;
}

function valueOf(obj: unknown) {
  const r = parseFrappeDeployment(obj);
  assert.ok(r.ok, r.ok ? "" : r.errors.join("\n"));
  return r.value;
}

Deno.test("an empty spec gets every default", () => {
  const v = valueOf(fd({}));
  assert.equal(v.spec.image, DEFAULT_IMAGE);
  assert.equal(v.spec.frappeVersion, "15");
  assert.deepEqual(v.spec.sites, []);
  assert.deepEqual(v.spec.storage, { size: "10Gi", accessMode: "ReadWriteMany" });
  assert.deepEqual(v.spec.database, { managed: { image: "mariadb:10.6", storageSize: "10Gi" } });
  assert.equal(v.spec.redis.queue.managed?.storageSize, "1Gi");
  assert.deepEqual(v.spec.redis.cache, { managed: { image: "redis:7.2-alpine" } });
  assert.deepEqual(v.spec.web, { replicas: 1, workers: 2, threads: 4, timeout: 120 });
  assert.deepEqual(v.spec.nginx, { replicas: 1 });
  assert.deepEqual(v.spec.socketio, { replicas: 1 });
  assert.deepEqual(v.spec.scheduler, {});
  assert.deepEqual(v.spec.networkPolicy, { enabled: true });
  assert.equal(typeof v.spec.workers, "object");
});

Deno.test("a missing spec and namespace default too; bench id is <namespace>.<name>", () => {
  const r = parseFrappeDeployment({
    apiVersion: "frappe-op.dev/v1alpha1",
    kind: "FrappeDeployment",
    metadata: { name: "erp" },
  });
  assert.ok(r.ok);
  assert.equal(r.value.metadata.namespace, "default");
  assert.equal(benchIdOf(r.value), "default.erp");
  assert.equal(benchIdOf(valueOf(fd({ benchId: "custom-bench" }))), "custom-bench");
});

Deno.test("the scheduler offers no replicas or autoscaling: they are dropped", () => {
  const v = valueOf(fd({ scheduler: { replicas: 3, autoscaling: { enabled: true } } }));
  assert.deepEqual(v.spec.scheduler, {});
});

Deno.test("external database and redis replace the managed defaults", () => {
  const v = valueOf(fd({
    database: { external: { host: "db.example.com", credentialsSecretRef: { name: "db" } } },
    redis: { queue: { external: { url: "redis://q:6379/0", tls: true } } },
  }));
  assert.deepEqual(v.spec.database.external, {
    host: "db.example.com",
    port: 3306,
    credentialsSecretRef: { name: "db", usernameKey: "username", passwordKey: "password" },
  });
  assert.equal(v.spec.database.managed, undefined);
  assert.equal(v.spec.redis.queue.external?.tls, true);
  assert.ok(v.spec.redis.cache.managed);
});

Deno.test("quantities accept strings and integers, reject nonsense", () => {
  assert.equal(valueOf(fd({ storage: { size: 5 } })).spec.storage.size, 5);
  assert.deepEqual(errorsOf(fd({ storage: { size: "ten gigs" } })), [
    "spec.storage.size: must be a Kubernetes quantity such as 500m, 1Gi or 2",
  ]);
});

const RULES: [string, unknown, string][] = [
  ["database: both", {
    database: { managed: {}, external: { host: "h", credentialsSecretRef: { name: "s" } } },
  }, "spec.database: set exactly one of managed or external"],
  ["database: neither", { database: {} }, "spec.database: set exactly one of managed or external"],
  [
    "redis queue: neither",
    { redis: { queue: {} } },
    "spec.redis.queue: set exactly one of managed or external",
  ],
  [
    "redis cache: both",
    { redis: { cache: { managed: {}, external: { url: "redis://c" } } } },
    "spec.redis.cache: set exactly one of managed or external",
  ],
  [
    "benchId with ':'",
    { benchId: "a:b" },
    "spec.benchId: must be letters, digits, '.', '_' or '-' (no ':'), starting with a letter or digit",
  ],
  ["frappeVersion", { frappeVersion: "13" }, "spec.frappeVersion: must be one of 14, 15, 16"],
  ["image empty", { image: "" }, `spec.image: must name a Frappe image, e.g. ${DEFAULT_IMAGE}`],
  [
    "site name",
    { sites: [{ name: "Not A Host" }] },
    "spec.sites[0].name: must be a lowercase DNS name such as erp.example.com",
  ],
  [
    "site duplicate",
    { sites: [{ name: "a.com" }, { name: "a.com" }] },
    "spec.sites: site names must be unique",
  ],
  [
    "app name",
    { sites: [{ name: "a.com", apps: ["ERP Next"] }] },
    "spec.sites[0].apps[0]: must be an app name such as erpnext",
  ],
  ["admin secret key", {
    sites: [{ name: "a.com", adminPasswordSecretRef: { name: "s", key: "" } }],
  }, "spec.sites[0].adminPasswordSecretRef.key: must name a key of the Secret"],
  [
    "existingClaim + class",
    { storage: { existingClaim: "mine", storageClassName: "nfs" } },
    "spec.storage: existingClaim is an existing volume: remove storageClassName or existingClaim",
  ],
  [
    "external redis url with password",
    { redis: { queue: { external: { url: "redis://:secret@q:6379" } } } },
    "spec.redis.queue.external.url: must look like redis://host:6379/0 (put the password in passwordSecretRef)",
  ],
  ...["redis://q:6379/abc", "redis:///0", "redis://q:6379/0/x", "redis://q#x", "redis://q/0?a=b"]
    .map((url): [string, Record<string, unknown>, string] => [
      `external redis url ${url}`,
      { redis: { queue: { external: { url } } } },
      "spec.redis.queue.external.url: must look like redis://host:6379/0 (put the password in passwordSecretRef)",
    ]),
  ["external db host", {
    database: { external: { host: "", credentialsSecretRef: { name: "s" } } },
  }, "spec.database.external.host: must name the database host"],
  ["replicas", { web: { replicas: -1 } }, "spec.web.replicas: must be 0 or more"],
];

for (const [what, spec, message] of RULES) {
  Deno.test(`validation: ${what}`, () => {
    assert.deepEqual(errorsOf(fd(spec)), [message]);
  });
}

Deno.test("validation: a name starting with a digit is rejected (Service names need a letter)", () => {
  assert.deepEqual(errorsOf({ ...fd({}), metadata: { name: "1erp" } }), [
    "metadata.name: must start with a letter: it prefixes Service names, which must start with one",
  ]);
  assert.equal(parseFrappeDeployment({ ...fd({}), metadata: { name: "erp1" } }).ok, true);
});

Deno.test("validation: envelope and metadata errors are path-qualified", () => {
  const errors = errorsOf({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "Bad.Name" },
    spec: {},
  });
  assert.deepEqual(errors, [
    "apiVersion: must be frappe-op.dev/v1alpha1",
    "kind: must be FrappeDeployment",
    "metadata.name: must be a DNS label (lowercase letters, digits, '-')",
  ]);
});
