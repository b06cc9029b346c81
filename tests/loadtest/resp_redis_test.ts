/**
 * Our RESP2 client (redis/resp.ts) against a real redis-server: ACL
 * users, SELECT, binary-safe hashes, MULTI/EXEC, big pipelines and replies,
 * and TLS with a CA of our own. Needs redis-server and openssl (-A).
 */
import assert from "node:assert/strict";
import { EXIT, LoadtestError } from "../../loadtest/errors.ts";
import { connectRedis } from "../../loadtest/redis.ts";
import { RespClient, RespReplyError } from "../../redis/resp.ts";
import { startRedis, startTlsRedis } from "./support.ts";

Deno.test("resp redis: ACL user, SELECT and binary-safe hash values", async () => {
  const server = await startRedis({ password: "adm" });
  try {
    await server.cli("ACL", "SETUSER", "alice", "on", ">wonder", "~*", "&*", "+@all");
    const url = `redis://alice:wonder@127.0.0.1:${server.port}/3`;
    const redis = await connectRedis({ url });
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    try {
      await redis.call("HSET", "h", "data", bytes, "status", "queued");
      const hash = await redis.hgetallBytes("h");
      assert.deepEqual(hash.get("data"), bytes);
      assert.equal(new TextDecoder().decode(hash.get("status")), "queued");
      assert.deepEqual(await redis.hmget("h", "status", "nope"), ["queued", null]);
      assert.equal(await server.cli("-n", "3", "HGET", "h", "status"), "queued");
      assert.equal(await server.cli("-n", "0", "EXISTS", "h"), "0");
    } finally {
      await redis.close();
    }
    const wrong = await connectRedis({ url: url.replace("wonder", "land") }).catch((e) => e);
    assert.ok(wrong instanceof LoadtestError);
    assert.equal(wrong.exitCode, EXIT.redisAuth);
    assert.match(wrong.message, /rejected the credentials: WRONGPASS/);
  } finally {
    await server.stop();
  }
});

Deno.test("resp redis: MULTI/EXEC applies all or, refused while queueing, nothing", async () => {
  const server = await startRedis();
  const redis = await connectRedis({ url: server.url });
  try {
    assert.deepEqual(await redis.transaction([["RPUSH", "l", "a", "b"], ["SADD", "s", "x"]]), [
      2,
      1,
    ]);
    const refused = await redis.transaction([["RPUSH", "l", "c"], ["SADD", "s"]]).catch((e) => e);
    assert.ok(refused instanceof RespReplyError);
    assert.match(refused.message, /wrong number of arguments/);
    assert.equal(await redis.llen("l"), 2);
    await assert.rejects(redis.transaction([["LLEN", "s"]]), /^ReplyError: WRONGTYPE/);
    assert.equal(await redis.call("PING"), "PONG", "the connection is still in step");
  } finally {
    await redis.close();
    await server.stop();
  }
});

Deno.test("resp redis: 5000-command pipeline and a 3 MB reply, in order", async () => {
  const server = await startRedis();
  const redis = await connectRedis({ url: server.url });
  try {
    const n = 5000;
    const pushed = await redis.pipeline(Array.from({ length: n }, (_, i) => ["RPUSH", "q", i]));
    assert.deepEqual(pushed, Array.from({ length: n }, (_, i) => i + 1));
    const big = new Uint8Array(3 << 20).map((_, i) => (i * 7) & 0xff);
    await redis.call("SET", "big", big);
    const [, got, len] = await redis.pipeline([["PING"], ["STRLEN", "big"], ["LLEN", "q"]]);
    assert.deepEqual([got, len], [big.length, n]);
    assert.deepEqual(await redis.callBytes("GET", "big"), big);
    assert.equal(await redis.type("q"), "list");
    assert.ok(Math.abs((await redis.timeMs()) - Date.now()) < 5000);
  } finally {
    await redis.close();
    await server.stop();
  }
});

Deno.test("resp redis: rediss:// with our CA works; without it the certificate is refused", async () => {
  const tls = await startTlsRedis();
  const url = `rediss://127.0.0.1:${tls.port}/2`;
  try {
    const redis = await connectRedis({ url, caCerts: [tls.ca] });
    try {
      await redis.transaction([["RPUSH", "q", "j1"], ["SADD", "s", "q"]]);
      assert.equal(await redis.llen("q"), 1);
    } finally {
      await redis.close();
    }
    const untrusted = await connectRedis({ url }).catch((e) => e);
    assert.ok(untrusted instanceof LoadtestError);
    assert.equal(untrusted.exitCode, EXIT.redisTls);
    assert.match(untrusted.message, /certificate is not trusted/);
  } finally {
    await tls.stop();
  }
});

Deno.test("resp redis: RespClient.connect without a password reports NOAUTH", async () => {
  const server = await startRedis({ password: "pw" });
  try {
    const err = await RespClient.connect({ hostname: "127.0.0.1", port: server.port })
      .catch((e) => e);
    assert.ok(err instanceof RespReplyError);
    assert.match(err.message, /^NOAUTH/);
  } finally {
    await server.stop();
  }
});
