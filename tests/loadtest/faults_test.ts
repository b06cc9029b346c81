/**
 * Each fault gives one clear line and its own exit code through the CLI's
 * `main`: unreachable Redis (10), wrong or missing password (11), TLS
 * mismatch both ways (12), a queue key of the wrong type (13), an unknown
 * FrappeDeployment (14), bad flags (2). Needs redis-server and openssl (-A).
 */
import assert from "node:assert/strict";
import { main } from "../../cli/loadtest.ts";
import { KubeApiError } from "../../kube/errors.ts";
import { KubeClient } from "../../kube/client.ts";
import type { KubeRequest, Transport } from "../../kube/transport.ts";
import { KubeClusterView } from "../../loadtest/cluster.ts";
import { EXIT, LoadtestError } from "../../loadtest/errors.ts";
import { runLoadtest } from "../../loadtest/run.ts";
import { SCENARIOS } from "../../loadtest/scenarios.ts";
import { freePort } from "../support/net.ts";
import { enqueueOnly, startRedis, startTlsRedis } from "./support.ts";

/**
 * Runs main(args), returning its exit code and what it wrote with console.error;
 * a failure must be exactly one line (docs/loadtest.md "Exit codes").
 */
async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    const code = await main(args);
    const stderr = lines.join("\n");
    if (code !== EXIT.ok) assert.equal(stderr.split("\n").length, 1, `not one line:\n${stderr}`);
    return { code, stderr };
  } finally {
    console.error = original;
  }
}

const TARGET = ["--bench-id", "b1", "--site", "s1", "--jobs", "1", "--no-wait"];

/** cli() against `redis` with a 1 s connect timeout. */
const quickCli = (redis: string) => cli(["--redis", redis, ...TARGET, "--connect-timeout", "1"]);

Deno.test("faults: unreachable Redis exits 10", async () => {
  const r = await cli(["--redis", `redis://127.0.0.1:${freePort()}`, ...TARGET]);
  assert.equal(r.code, EXIT.redisUnreachable);
  assert.match(
    r.stderr,
    /^frappe-op loadtest: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+\/?: .*ECONNREFUSED/,
  );
});

Deno.test("faults: wrong or missing password exits 11 and never prints the password", async () => {
  const server = await startRedis({ password: "s3cret" });
  try {
    const port = server.port;
    const wrong = await cli(["--redis", `redis://:nope@127.0.0.1:${port}`, ...TARGET]);
    assert.equal(wrong.code, EXIT.redisAuth);
    assert.match(wrong.stderr, /rejected the credentials: WRONGPASS/);
    assert.doesNotMatch(wrong.stderr, /nope/);
    const none = await cli(["--redis", `redis://127.0.0.1:${port}`, ...TARGET]);
    assert.equal(none.code, EXIT.redisAuth);
    assert.match(none.stderr, /needs a password and none was given .*: NOAUTH/);
    const right = await cli(["--redis", `redis://:s3cret@127.0.0.1:${port}`, ...TARGET]);
    assert.equal(right.code, EXIT.ok, right.stderr);
  } finally {
    await server.stop();
  }
});

Deno.test("faults: a password sent to a Redis that has none exits 11, not 10", async () => {
  const server = await startRedis();
  try {
    const r = await cli(["--redis", `redis://:extra@127.0.0.1:${server.port}`, ...TARGET]);
    assert.equal(r.code, EXIT.redisAuth, r.stderr);
    assert.match(r.stderr, /has no password, but one was given .*without any password configured/);
    assert.doesNotMatch(r.stderr, /extra/);
  } finally {
    await server.stop();
  }
});

Deno.test("faults: TLS mismatch exits 12, both ways", async () => {
  const plain = await startRedis();
  const tls = await startTlsRedis();
  try {
    const toPlain = await quickCli(`rediss://127.0.0.1:${plain.port}`);
    assert.equal(toPlain.code, EXIT.redisTls);
    assert.match(toPlain.stderr, /TLS mismatch .*does not seem to speak TLS/);
    const toTls = await quickCli(`redis://127.0.0.1:${tls.port}`);
    assert.equal(toTls.code, EXIT.redisTls);
    assert.match(toTls.stderr, /TLS mismatch .*use a rediss:\/\/ URL/);
  } finally {
    await plain.stop();
    await tls.stop();
  }
});

Deno.test("faults: a db index the server does not have exits 2, not a TLS mismatch", async () => {
  const server = await startRedis();
  try {
    const res = await quickCli(`redis://127.0.0.1:${server.port}/99`);
    assert.equal(res.code, EXIT.usage, res.stderr);
    assert.match(res.stderr, /has no such database .*DB index is out of range/);
    assert.doesNotMatch(res.stderr, /TLS/);
  } finally {
    await server.stop();
  }
});

for (
  const [key, type, message] of [
    [
      "rq:queue:b1:short",
      "string",
      /WRONGTYPE: queue key rq:queue:b1:short holds a string, not a list/,
    ],
    ["rq:queues", "list", /WRONGTYPE: RQ's queue registry rq:queues holds a list, not a set/],
  ] as const
) {
  Deno.test(`faults: ${key} as a ${type} exits 13 before writing a job`, async () => {
    const server = await startRedis();
    try {
      await server.cli(...(type === "string" ? ["SET", key, "oops"] : ["RPUSH", key, "oops"]));
      const r = await cli(["--redis", server.url, ...TARGET]);
      assert.equal(r.code, EXIT.redisWrongType, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(await server.cli("KEYS", "rq:job:*"), "");
      assert.equal(
        await server.cli("EXISTS", "rq:queue:b1:short"),
        key === "rq:queues" ? "0" : "1",
      );
    } finally {
      await server.stop();
    }
  });
}

class NotFoundTransport implements Transport {
  request(req: KubeRequest): Promise<unknown> {
    return Promise.reject(new KubeApiError(404, "NotFound", "not found", req.method, req.path));
  }
  stream(): Promise<ReadableStream<Uint8Array>> {
    return Promise.reject(new Error("no watch"));
  }
  close() {}
}

Deno.test("faults: an unknown FrappeDeployment exits 14", async () => {
  const cluster = new KubeClusterView(new KubeClient(new NotFoundTransport()));
  const err = await runLoadtest(enqueueOnly(SCENARIOS.rapid, ["shop/nope"]), { cluster }).catch((
    e,
  ) => e);
  assert.ok(err instanceof LoadtestError);
  assert.equal(err.exitCode, EXIT.targetNotFound);
  assert.equal(err.message, "FrappeDeployment shop/nope not found");
});

Deno.test("faults: bad flags exit 2 with the reason", async () => {
  for (
    const [args, pattern] of [
      [
        ["--jobs", "x", "--redis", "redis://h", "--bench-id", "b", "--site", "s"],
        /--jobs must be a number/,
      ],
      [["--scenario", "nope", "ns/fd"], /unknown --scenario nope/],
      [
        ["--redis", "redis://h"],
        /give a <namespace>\/<name> target, or --redis, --bench-id and --site/,
      ],
      [["--frappe-version", "14", "ns/fd"], /--frappe-version must be 15 or 16/],
      [["--scenario", "multi-tenant", "ns/fd"], /needs two or more --tenant/],
      [["--bogus"], /Unknown option '--bogus'/],
      [["--redis", "redis://:100%@h", ...TARGET], /not valid percent-encoding \(write % as %25\)/],
      [["--redis", "redis://h:99999", ...TARGET], /invalid Redis URL: it must look like/],
      [["--redis", "redis://h", "--bench-id", "a:b", "--site", "s"], /--bench-id must be .*no ':'/],
      [["--jobs", "1000001", "ns/fd"], /--jobs must be <= 1,000,000/],
    ] as const
  ) {
    const r = await cli([...args]);
    assert.equal(r.code, EXIT.usage, args.join(" "));
    assert.match(r.stderr, pattern);
    assert.match(r.stderr, /^frappe-op loadtest: .* \(see frappe-op loadtest --help\)$/);
  }
});

Deno.test("faults: an unwritable --json FILE exits 2 before any job is enqueued", async () => {
  const server = await startRedis();
  try {
    const r = await cli(["--redis", server.url, ...TARGET, "--json", "/nonexistent/dir/r.json"]);
    assert.equal(r.code, EXIT.usage, r.stderr);
    assert.match(
      r.stderr,
      /^frappe-op loadtest: --json \/nonexistent\/dir\/r\.json: .*No such file/,
    );
    assert.equal(await server.cli("LLEN", "rq:queue:b1:short"), "0", "nothing enqueued");
  } finally {
    await server.stop();
  }
});

Deno.test("faults: a queue the FrappeDeployment does not declare exits 2 before connecting", async () => {
  const cluster = {
    benchTarget: () =>
      Promise.resolve({
        tenant: "shop/erp",
        benchId: "shop.erp",
        redisUrl: `redis://127.0.0.1:${freePort()}`,
        site: "erp.example.com",
        queueTimeouts: { reports: 3600 },
        workers: [],
      }),
    workerReplicas: () => Promise.resolve({}),
  };
  const err = await runLoadtest(
    enqueueOnly({ ...SCENARIOS.rapid, queue: "repots" }, ["shop/erp"]),
    { cluster },
  ).catch((e) => e);
  assert.ok(err instanceof LoadtestError, String(err));
  assert.equal(err.exitCode, EXIT.usage);
  assert.equal(
    err.message,
    "--queue repots: shop/erp declares no such queue (short, default, long, reports); " +
      "its jobs would wait forever",
  );
});

Deno.test("faults: a FrappeDeployment whose password Secret is gone exits 11 naming it", async () => {
  const server = await startRedis({ password: "s3cret" });
  try {
    const cluster = {
      benchTarget: () =>
        Promise.resolve({
          tenant: "shop/erp",
          benchId: "shop.erp",
          redisUrl: server.url.replace(/:s3cret@/, ""),
          redisPasswordMissing: "Secret shop/erp-credentials (generated by the operator) not found",
          site: "erp.example.com",
          queueTimeouts: {},
          workers: [],
        }),
      workerReplicas: () => Promise.resolve({}),
    };
    const err = await runLoadtest(enqueueOnly(SCENARIOS.rapid, ["shop/erp"]), { cluster }).catch((
      e,
    ) => e);
    assert.ok(err instanceof LoadtestError, String(err));
    assert.equal(err.exitCode, EXIT.redisAuth);
    assert.match(
      err.message,
      /^no password for Redis at redis:\/\/127\.0\.0\.1:\d+\/?: Secret shop\/erp-credentials \(generated by the operator\) not found \(restore it, or give REDIS_PASSWORD\)$/,
    );
  } finally {
    await server.stop();
  }
});

Deno.test("faults: a port that answers HTTP is not called a TLS mismatch", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    for await (const conn of listener) {
      await conn.write(new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n\r\n"));
      conn.close();
    }
  })();
  try {
    const port = (listener.addr as Deno.NetAddr).port;
    const r = await cli(["--redis", `redis://127.0.0.1:${port}`, ...TARGET]);
    assert.equal(r.code, EXIT.redisUnreachable, r.stderr);
    assert.match(
      r.stderr,
      /answers, but not as Redis: its first byte is 0x48 \('H', e\.g\. HTTP\)/,
    );
    assert.doesNotMatch(r.stderr, /TLS mismatch|rediss:/);
  } finally {
    listener.close();
    await serving.catch(() => {});
  }
});

Deno.test("faults: a port that accepts and stays silent is not called a TLS mismatch", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const serving = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  try {
    const port = (listener.addr as Deno.NetAddr).port;
    const r = await cli([
      "--redis",
      `redis://127.0.0.1:${port}`,
      ...TARGET,
      "--connect-timeout",
      "0.3",
    ]);
    assert.equal(r.code, EXIT.redisUnreachable, r.stderr);
    assert.match(
      r.stderr,
      /accepts TCP connections but answered nothing .*check the host and port/,
    );
  } finally {
    listener.close();
    for (const c of held) c.close();
    await serving.catch(() => {});
  }
});
