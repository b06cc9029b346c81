/**
 * The Frappe v16 QueueOverloaded guard against a real redis-server: a burst
 * that would leave the queue at 500 + 50 x sites is refused (exit 2, one
 * line, nothing written) unless --allow-overload; v15 is not limited. Needs
 * redis-server (no RQ workers: every run is --no-wait).
 */
import assert from "node:assert/strict";
import { main } from "../../cli/loadtest.ts";
import type { ClusterView } from "../../loadtest/cluster.ts";
import { EXIT, LoadtestError } from "../../loadtest/errors.ts";
import { runLoadtest } from "../../loadtest/run.ts";
import { SCENARIOS } from "../../loadtest/scenarios.ts";
import { enqueueOnly, type RedisServer, startRedis } from "./support.ts";

const KEY = "rq:queue:b1:short";

async function cli(args: string[]): Promise<{ code: number; stderr: string[] }> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...a: unknown[]) => lines.push(a.join(" "));
  const log = console.log;
  console.log = () => {};
  try {
    return { code: await main(args), stderr: lines };
  } finally {
    console.error = original;
    console.log = log;
  }
}

/** `n` entries already waiting in the queue (ids only: nothing runs them). */
async function fill(server: RedisServer, key: string, n: number): Promise<void> {
  await server.cli("DEL", key);
  const ids = Array.from({ length: n }, (_, i) => `waiting-${i}`);
  for (let i = 0; i < ids.length; i += 100) {
    await server.cli("RPUSH", key, ...ids.slice(i, i + 100));
  }
}

const llen = async (server: RedisServer, key = KEY) => Number(await server.cli("LLEN", key));

Deno.test("overload: a v16 burst that would reach 550 is refused before anything is written", async () => {
  const server = await startRedis();
  try {
    const args = (jobs: number, ...more: string[]) => [
      ...["--redis", server.url, "--bench-id", "b1", "--site", "s1", "--no-wait"],
      ...["--jobs", String(jobs), ...more],
    ];
    const v16 = (jobs: number, ...more: string[]) => args(jobs, "--frappe-version", "16", ...more);
    await fill(server, KEY, 500);
    const refused = await cli(v16(50));
    assert.equal(refused.code, EXIT.usage);
    assert.equal(refused.stderr.length, 1, refused.stderr.join("\n"));
    assert.match(
      refused.stderr[0],
      /^frappe-op loadtest: Frappe v16's frappe\.enqueue raises QueueOverloaded once a queue holds 550 jobs \(500 \+ 50 x 1 site\): rq:queue:b1:short holds 500 and 50 more would bring it to 550, .*enqueue at most 49 \(--jobs 49\), .*--allow-overload .*\(see frappe-op loadtest --help\)$/,
    );
    assert.equal(await llen(server), 500, "nothing enqueued");
    assert.equal(await server.cli("KEYS", "rq:job:*"), "", "no job hash written");

    // One fewer fits; then the queue is at 549 and one more is refused.
    assert.equal((await cli(v16(49))).code, EXIT.ok);
    assert.equal(await llen(server), 549);
    assert.equal((await cli(v16(1))).code, EXIT.usage);

    // --allow-overload goes past the limit; v15 has none.
    assert.equal((await cli(v16(10, "--allow-overload"))).code, EXIT.ok);
    assert.equal(await llen(server), 559);
    assert.equal((await cli(args(10, "--frappe-version", "15"))).code, EXIT.ok);
    assert.equal(await llen(server), 569);
  } finally {
    await server.stop();
  }
});

Deno.test("overload: the limit counts the FrappeDeployment's sites (500 + 50 x 3)", async () => {
  const server = await startRedis();
  try {
    const cluster: ClusterView = {
      benchTarget: () =>
        Promise.resolve({
          tenant: "shop/erp",
          benchId: "shop.erp",
          redisUrl: server.url,
          site: "a.example.com",
          siteCount: 3,
          frappeVersion: 16,
          queueTimeouts: {},
          workers: [],
        }),
      workerReplicas: () => Promise.resolve({}),
    };
    const run = (jobs: number) =>
      runLoadtest(enqueueOnly({ ...SCENARIOS.rapid, jobs }, ["shop/erp"]), { cluster });
    const key = "rq:queue:shop.erp:short";
    await fill(server, key, 600);
    // 600 + 50 = 650: refused; 600 + 49 fits (it would not with 1 site: 550).
    const err = await run(50).catch((e) => e);
    assert.ok(err instanceof LoadtestError, String(err));
    assert.equal(err.exitCode, EXIT.usage);
    assert.match(err.message, /holds 650 jobs \(500 \+ 50 x 3 sites\)/);
    assert.equal(await llen(server, key), 600);
    const ok = await run(49);
    assert.equal(ok.report.jobs.enqueued, 49);
    assert.equal(await llen(server, key), 649);
  } finally {
    await server.stop();
  }
});
