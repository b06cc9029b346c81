/**
 * Stopping (Ctrl-C aborts the signal) ends enqueueing between transactions:
 * the run reports interrupted with a partial report, and Redis holds no job
 * hash without its queue entry, nor a queue entry without its hash.
 * Needs redis-server (-A).
 */
import assert from "node:assert/strict";
import { DEFAULT_PRICES } from "../../loadtest/report.ts";
import { runLoadtest } from "../../loadtest/run.ts";
import { SCENARIOS } from "../../loadtest/scenarios.ts";
import { REPO_ROOT, startRedis } from "./support.ts";

Deno.test("interrupt: stops between transactions, partial report, no half-written job", async () => {
  const server = await startRedis();
  try {
    const ctl = new AbortController();
    const result = await runLoadtest({
      scenario: { ...SCENARIOS.rapid, jobs: 200 },
      tenants: [],
      redisUrl: server.url,
      benchId: "b1",
      site: "s1",
      rate: 100,
      wait: true,
      timeoutS: 30,
      intervalS: 0.2,
      lostAfterS: 90,
      prices: DEFAULT_PRICES,
      expect: { noLoss: true },
    }, {
      signal: ctl.signal,
      onEnqueued: (n) => n === 25 && ctl.abort(),
    });
    assert.equal(result.interrupted, true);
    assert.deepEqual(result.failures, [], "expectations are not judged on a partial run");
    const j = result.report.jobs;
    assert.equal(j.enqueued, 25);
    assert.equal(j.stillQueued, 25);
    assert.equal(result.report.endedBy, "interrupted");
    const queued = (await server.cli("LRANGE", "rq:queue:b1:short", "0", "-1")).split("\n").sort();
    const hashes = (await server.cli("KEYS", "rq:job:*")).split("\n")
      .map((k) => k.slice("rq:job:".length)).sort();
    assert.equal(queued.length, 25);
    assert.deepEqual(hashes, queued);
  } finally {
    await server.stop();
  }
});

Deno.test("interrupt: SIGINT to the CLI prints the partial report and exits 130", async () => {
  const server = await startRedis();
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${REPO_ROOT}cli/loadtest.ts`,
        "--redis",
        server.url,
        "--bench-id",
        "b1",
        "--site",
        "s1",
        "--jobs",
        "1000",
        "--rate",
        "20",
        "--interval",
        "0.2",
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Wait until some jobs are in, then Ctrl-C.
    for (let i = 0; i < 200 && Number(await server.cli("LLEN", "rq:queue:b1:short")) < 5; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGINT");
    const out = await child.output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 130, new TextDecoder().decode(out.stderr));
    assert.match(stdout, /ended: interrupted/);
    const enqueued = Number(stdout.match(/^(\d+)\s+0\s+0\s+0\s+0\s+\d+/m)?.[1]);
    assert.ok(enqueued >= 5 && enqueued < 1000, `enqueued ${enqueued}`);
    assert.equal(Number(await server.cli("LLEN", "rq:queue:b1:short")), enqueued);
  } finally {
    await server.stop();
  }
});
