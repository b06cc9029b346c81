import assert from "node:assert/strict";
import {
  CREDENTIAL_KEYS,
  credentialsSecret,
  credentialValues,
  fromBase64,
  MissingPasswordError,
  toBase64,
} from "./credentials.ts";
import { configSecret, managedRedisPasswords } from "./config.ts";
import { makeFd } from "./fixture.ts";
import { commonSiteConfig } from "./site_config.ts";

const fd = makeFd();

Deno.test("credentials: every contract key, new ones from the injected randomPassword", () => {
  let n = 0;
  const s = credentialsSecret(fd, undefined, () => `new-${n++}`);
  assert.equal(s.metadata.name, "erp-credentials");
  assert.deepEqual(Object.keys(s.data), [
    "redis-queue-password",
    "redis-cache-password",
    "mariadb-root-password",
    "mariadb-password",
    "admin-password",
  ]);
  assert.deepEqual(Object.keys(s.data), CREDENTIAL_KEYS);
  assert.equal(credentialValues(s)["mariadb-root-password"], "new-2");
});

Deno.test("credentials: existing values are kept, only missing keys are generated", () => {
  const existing = credentialsSecret(fd, undefined, () => "old");
  delete existing.data["admin-password"];
  const s = credentialsSecret(fd, existing, () => "fresh");
  const v = credentialValues(s);
  assert.equal(v["redis-queue-password"], "old");
  assert.equal(v["admin-password"], "fresh");
});

Deno.test("credentials: a missing key without randomPassword is an error naming the key", () => {
  assert.throws(
    () => credentialsSecret(fd),
    (e: Error) => e instanceof MissingPasswordError && /redis-queue-password/.test(e.message),
  );
});

Deno.test("base64 round-trips non-ASCII text", () => {
  assert.equal(fromBase64(toBase64("pässwörd✓")), "pässwörd✓");
});

Deno.test("common_site_config: hosts, bench_id, redis URLs with encoded password, socketio port", () => {
  const config = commonSiteConfig(fd, { queue: "p@ss/word", cache: "c" });
  assert.deepEqual(config, {
    bench_id: "tenant-a.erp",
    db_host: "erp-mariadb.tenant-a.svc",
    db_port: 3306,
    redis_queue: "redis://:p%40ss%2Fword@erp-redis-queue.tenant-a.svc:6379",
    redis_cache: "redis://:c@erp-redis-cache.tenant-a.svc:6379",
    socketio_port: 9000,
    workers: {},
  });
});

Deno.test("common_site_config: v14 adds redis_socketio; custom queues declare timeouts", () => {
  const v14 = commonSiteConfig(makeFd({ frappeVersion: "14" }), {});
  assert.equal(v14.redis_socketio, v14.redis_queue);
  const custom = makeFd({ workers: { custom: [{ name: "reports", timeout: 3000 }] } });
  assert.deepEqual(commonSiteConfig(custom, {}).workers, { reports: { timeout: 3000 } });
  assert.deepEqual(commonSiteConfig(fd, {}).workers, {}, "written empty: removes the last one");
});

Deno.test("common_site_config: external database and TLS redis", () => {
  const ext = makeFd({
    database: {
      external: { host: "db.example.com", port: 3307, credentialsSecretRef: { name: "db" } },
    },
    redis: { queue: { external: { url: "redis://q.example.com:6380/2", tls: true } } },
  });
  const c = commonSiteConfig(
    ext,
    managedRedisPasswords(ext, { "redis-queue-password": "x", "redis-cache-password": "y" }),
  );
  assert.equal(c.db_host, "db.example.com");
  assert.equal(c.db_port, 3307);
  assert.equal(c.redis_queue, "rediss://q.example.com:6380/2");
  assert.equal(c.redis_cache, "redis://:y@erp-redis-cache.tenant-a.svc:6379");
});

Deno.test("config Secret holds the JSON (passwords never in a ConfigMap)", () => {
  const s = configSecret(fd, { queue: "q", cache: "c" });
  assert.equal(s.kind, "Secret");
  assert.equal(s.metadata.name, "erp-config");
  const json = JSON.parse(fromBase64(s.data["common_site_config.json"]));
  assert.equal(json.redis_queue, "redis://:q@erp-redis-queue.tenant-a.svc:6379");
});
