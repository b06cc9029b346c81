/**
 * `bin/frappe-op loadtest` as a subprocess, so exactly the compiled binary's
 * permission flags (bin/permissions: a fixed --allow-env list, no --allow-run)
 * apply, not the broad ones this test runs with. A dependency that reads the
 * whole environment, or anything else outside those flags, fails here.
 * Needs redis-server (-A).
 */
import assert from "node:assert/strict";
import { jobKey, queueKey, rqQueueName } from "../../apis/naming.ts";
import { EXIT } from "../../loadtest/errors.ts";
import { connectRedis } from "../../loadtest/redis.ts";
import { REPO_ROOT, startRedis } from "./support.ts";

const BENCH = "t.a";
const JOBS = 7;

async function frappeOp(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(`${REPO_ROOT}bin/frappe-op`, {
    args,
    // Empty means unset for the CLI: the runner's own REDIS_PASSWORD must not leak in.
    env: { REDIS_PASSWORD: "", DEBUG: "*", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

function loadArgs(url: string, json?: string): string[] {
  return [
    ...["loadtest", "--redis", url, "--bench-id", BENCH, "--site", "s1", "--queue", "short"],
    ...["--jobs", String(JOBS), "--no-wait"],
    ...(json ? ["--json", json] : []),
  ];
}

Deno.test("binary flags: loadtest --no-wait --json enqueues every job", async () => {
  const server = await startRedis();
  const json = await Deno.makeTempFile({ suffix: ".json" });
  try {
    const r = await frappeOp(loadArgs(`${server.url}/0`, json));
    assert.equal(r.code, EXIT.ok, r.stderr);
    assert.doesNotMatch(r.stderr, /NotCapable|Requires env access/);
    assert.match(r.stdout, new RegExp(`enqueued ${JOBS} jobs in .*not observed \\(--no-wait\\)`));
    assert.doesNotMatch(
      r.stdout,
      /cost|replica-s|first scale-up/,
      "nothing watched, nothing priced",
    );
    const report = JSON.parse(await Deno.readTextFile(json));
    assert.equal(report.benchId, BENCH);
    assert.deepEqual(report.queues, ["short"]);
    assert.equal(report.endedBy, "not-observed");
    assert.equal(report.jobs.enqueued, JOBS);
    assert.equal(report.jobs.stillQueued, JOBS);
    assert.equal(Number(await server.cli("LLEN", queueKey(BENCH, "short"))), JOBS);
    // The job hash went through binary-safe: `data` is zlib bytes, the rest text.
    const redis = await connectRedis({ url: server.url });
    try {
      const id = await redis.call("LINDEX", queueKey(BENCH, "short"), 0) as string;
      const hash = await redis.hgetallBytes(jobKey(id));
      assert.equal(hash.get("data")?.[0], 0x78, "zlib header");
      assert.equal(new TextDecoder().decode(hash.get("origin")), rqQueueName(BENCH, "short"));
    } finally {
      await redis.close();
    }
  } finally {
    await server.stop();
    await Deno.remove(json);
  }
});

Deno.test("binary flags: a wrong password exits 11 with one line, the right one works", async () => {
  const server = await startRedis({ password: "s3cret" });
  const plain = `redis://127.0.0.1:${server.port}`;
  try {
    const wrong = await frappeOp(loadArgs(`redis://:nope@127.0.0.1:${server.port}`));
    assert.equal(wrong.code, EXIT.redisAuth, wrong.stderr);
    assert.match(
      wrong.stderr,
      /^frappe-op loadtest: Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/? rejected the credentials: WRONGPASS[^\n]*\n$/,
    );
    assert.doesNotMatch(wrong.stderr + wrong.stdout, /nope/);
    const envWrong = await frappeOp(loadArgs(plain), { REDIS_PASSWORD: "nope" });
    assert.equal(envWrong.code, EXIT.redisAuth, envWrong.stderr);
    assert.match(envWrong.stderr, /rejected the credentials: WRONGPASS/);
    const envRight = await frappeOp(loadArgs(plain), { REDIS_PASSWORD: "s3cret" });
    assert.equal(envRight.code, EXIT.ok, envRight.stderr);
    assert.equal(Number(await server.cli("LLEN", queueKey(BENCH, "short"))), JOBS);
  } finally {
    await server.stop();
  }
});
