/**
 * The RESP2 codec byte for byte, and the client against an in-process fake
 * server (replies split at every byte, concurrent callers, timeouts, the
 * server going away). Real Redis: tests/loadtest/resp_redis_test.ts.
 */
import assert from "node:assert/strict";
import {
  encodeCommands,
  type RawReply,
  RespParser,
  RespProtocolError,
  RespReplyError,
  toText,
} from "./resp_codec.ts";
import { RespClient, RespConnectionError } from "./resp.ts";

const enc = new TextEncoder();

function parseAll(text: string | Uint8Array, chunk = Infinity): RawReply[] {
  const bytes = typeof text === "string" ? enc.encode(text) : text;
  const parser = new RespParser();
  const out: RawReply[] = [];
  for (let i = 0; i < bytes.length; i += Math.min(chunk, bytes.length)) {
    parser.push(bytes.subarray(i, i + chunk));
    for (let r = parser.next(); r !== undefined; r = parser.next()) out.push(r);
  }
  assert.equal(parser.pending, 0);
  return out;
}

Deno.test("resp codec: commands are arrays of binary-safe bulk strings", () => {
  const bytes = encodeCommands([["SET", "k", new Uint8Array([0, 255, 13, 10])], [
    "INCRBY",
    "n",
    5,
  ]]);
  const expected = [
    ..."*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\n",
    "\0",
    "\xff",
    ..."\r\n\r\n*3\r\n$6\r\nINCRBY\r\n$1\r\nn\r\n$1\r\n5\r\n",
  ];
  assert.deepEqual([...bytes], expected.map((c) => c.charCodeAt(0)));
  assert.deepEqual([...encodeCommands([["SET", "é"]])].slice(-8), [
    36,
    50,
    13,
    10,
    0xc3,
    0xa9,
    13,
    10,
  ]);
});

const ALL_TYPES =
  "+OK\r\n-WRONGTYPE Operation against a key\r\n:-42\r\n$5\r\na\r\nb\r\r\n$0\r\n\r\n" +
  "$-1\r\n*-1\r\n*0\r\n*3\r\n:1\r\n*2\r\n$1\r\nx\r\n*-1\r\n-ERR inner\r\n";

Deno.test("resp codec: every RESP2 reply type, whole or one byte at a time", () => {
  for (const chunk of [Infinity, 1, 3]) {
    const [ok, err, int, bulk, empty, nullBulk, nullArray, emptyArray, nested] = parseAll(
      ALL_TYPES,
      chunk,
    );
    assert.equal(ok, "OK");
    assert.ok(err instanceof RespReplyError);
    assert.equal(err.message, "WRONGTYPE Operation against a key");
    assert.equal(int, -42);
    assert.deepEqual(bulk, enc.encode("a\r\nb\r"));
    assert.deepEqual(empty, new Uint8Array(0));
    assert.equal(nullBulk, null);
    assert.equal(nullArray, null);
    assert.deepEqual(emptyArray, []);
    assert.ok(Array.isArray(nested));
    assert.deepEqual(toText(nested.slice(0, 2)), [1, ["x", null]]);
    assert.ok(nested[2] instanceof RespReplyError);
  }
});

Deno.test("resp codec: bulk strings stay bytes until toText; errors are thrown there", () => {
  const raw = new Uint8Array([36, 50, 13, 10, 0x78, 0x9c, 13, 10]); // $2 then zlib's header
  const [bulk] = parseAll(raw);
  assert.deepEqual(bulk, new Uint8Array([0x78, 0x9c]));
  assert.throws(() => toText([new RespReplyError("NOAUTH x")]), /NOAUTH x/);
});

Deno.test("resp codec: bytes that are not RESP are a protocol error at once", () => {
  const tlsAlert = new Uint8Array([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32]);
  assert.throws(() => parseAll(tlsAlert), RespProtocolError);
  assert.throws(() => parseAll("$abc\r\n"), /bad RESP length/);
  assert.throws(() => parseAll(":1x\r\n"), /bad RESP integer/);
  assert.throws(() => parseAll("$1\r\nab\r\n"), /not followed by CRLF/);
});

/** A one-connection fake Redis: `reply` answers each command (parsed with the same codec). */
function fakeServer(reply: (args: string[]) => string | undefined, splitEvery = 1) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const served = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      const parser = new RespParser();
      const buf = new Uint8Array(4096);
      try {
        for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
          parser.push(buf.subarray(0, n));
          for (let r = parser.next(); r !== undefined; r = parser.next()) {
            const out = enc.encode(reply(toText(r) as string[]) ?? "");
            for (let i = 0; i < out.length; i += splitEvery) {
              await conn.write(out.subarray(i, i + splitEvery));
            }
          }
        }
      } catch { /* the client closed */ }
      try {
        conn.close();
      } catch { /* closed */ }
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    dropClients: () => conns.forEach((c) => c.close()),
    stop: async () => {
      listener.close();
      await served;
    },
  };
}

const ECHO = (args: string[]) => {
  if (args[0] === "PING") return "+PONG\r\n";
  if (args[0] === "ECHO") return `$${enc.encode(args[1]).length}\r\n${args[1]}\r\n`;
  if (args[0] === "HANG") return undefined;
  return `-ERR unknown command '${args[0]}'\r\n`;
};

Deno.test("resp client: concurrent callers and pipelines get their own replies, in order", async () => {
  const server = fakeServer(ECHO, 1);
  const client = await RespClient.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    const [a, piped, b] = await Promise.all([
      client.call("ECHO", "a"),
      client.pipeline([["ECHO", "p1"], ["ECHO", "p2"]]),
      client.call("ECHO", "b"),
    ]);
    assert.deepEqual([a, piped, b], ["a", ["p1", "p2"], "b"]);
    await assert.rejects(client.pipeline([["ECHO", "x"], ["NOPE"]]), /ERR unknown command 'NOPE'/);
    assert.equal(await client.call("ECHO", "still in step"), "still in step");
    assert.deepEqual(await client.callBytes("ECHO", "é"), enc.encode("é"));
  } finally {
    await client.close();
    await server.stop();
  }
});

Deno.test("resp client: the server going away fails waiting and later commands", async () => {
  const server = fakeServer(ECHO);
  const client = await RespClient.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    const hanging = client.call("HANG");
    server.dropClients();
    const err = await hanging.catch((e) => e);
    assert.ok(err instanceof RespConnectionError);
    assert.equal(err.code, "ECLOSED");
    assert.ok(client.closed);
    await assert.rejects(client.call("PING"), RespConnectionError);
  } finally {
    await client.close();
    await server.stop();
  }
});

Deno.test("resp client: a server that never answers hits the connect timeout", async () => {
  const server = fakeServer(() => undefined);
  try {
    const t0 = Date.now();
    const err = await RespClient.connect({
      hostname: "127.0.0.1",
      port: server.port,
      connectTimeoutMs: 200,
    }).catch((e) => e);
    assert.ok(err instanceof RespConnectionError);
    assert.equal(err.code, "ETIMEDOUT");
    assert.match(err.message, /^connect ETIMEDOUT 127\.0\.0\.1:\d+ \(200 ms\)$/);
    assert.ok(Date.now() - t0 < 2000);
  } finally {
    server.dropClients();
    await server.stop();
  }
});

Deno.test("resp client: a closed port is ECONNREFUSED", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const err = await RespClient.connect({ hostname: "127.0.0.1", port }).catch((e) => e);
  assert.ok(err instanceof RespConnectionError);
  assert.equal(err.code, "ECONNREFUSED");
  assert.match(err.message, new RegExp(`^connect ECONNREFUSED 127\\.0\\.0\\.1:${port}: `));
});

Deno.test("resp client: a reply later than the command timeout fails the connection", async () => {
  const server = fakeServer(ECHO);
  const client = await RespClient.connect({
    hostname: "127.0.0.1",
    port: server.port,
    commandTimeoutMs: 200,
  });
  try {
    assert.equal(await client.call("ECHO", "in time"), "in time");
    const err = await client.pipeline([["ECHO", "a"], ["HANG"]]).catch((e) => e);
    assert.ok(err instanceof RespConnectionError);
    assert.equal(err.code, "ETIMEDOUT");
    assert.match(err.message, /^command ETIMEDOUT 127\.0\.0\.1:\d+ \(200 ms\)$/);
    assert.ok(client.closed, "a late reply would answer the next command: the connection is gone");
    await assert.rejects(client.call("PING"), RespConnectionError);
  } finally {
    await client.close();
    server.dropClients();
    await server.stop();
  }
});
