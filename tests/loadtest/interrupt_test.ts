/**
 * Stopping (Ctrl-C aborts the signal) ends enqueueing between transactions:
 * the run reports interrupted with a partial report. A second Ctrl-C quits at
 * once, even in the middle of writing a batch: Redis drops the unfinished
 * MULTI. Either way Redis holds no job hash without its queue entry, nor a
 * queue entry without its hash, and only whole batches.
 * Needs redis-server (-A).
 */
import assert from "node:assert/strict";
import { connectRedis } from "../../loadtest/redis.ts";
import { DEFAULT_PRICES } from "../../loadtest/report.ts";
import { runLoadtest } from "../../loadtest/run.ts";
import { SCENARIOS } from "../../loadtest/scenarios.ts";
import { type RedisServer, REPO_ROOT, startRedis } from "./support.ts";

/** Every job hash has its queue entry and every queue entry its hash; returns how many. */
async function assertNoHalfWrittenJob(server: RedisServer): Promise<number> {
  const lines = (text: string) => text.split("\n").filter((l) => l).sort();
  const queued = lines(await server.cli("LRANGE", "rq:queue:b1:short", "0", "-1"));
  const hashes = lines(await server.cli("KEYS", "rq:job:*")).map((k) => k.slice("rq:job:".length));
  assert.deepEqual(hashes, queued);
  return queued.length;
}

function spawnCli(server: RedisServer, flags: string[]): Deno.ChildProcess {
  const target = ["--redis", server.url, "--bench-id", "b1", "--site", "s1", "--interval", "0.2"];
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${REPO_ROOT}cli/loadtest.ts`, ...target, ...flags],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function waitForQueued(server: RedisServer, atLeast: number): Promise<void> {
  for (let i = 0; i < 600 && Number(await server.cli("LLEN", "rq:queue:b1:short")) < atLeast; i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
}

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
    assert.equal(await assertNoHalfWrittenJob(server), 25);
  } finally {
    await server.stop();
  }
});

Deno.test("interrupt: SIGINT to the CLI prints the partial report and exits 130", async () => {
  const server = await startRedis();
  try {
    const child = spawnCli(server, ["--jobs", "1000", "--rate", "20"]);
    await waitForQueued(server, 5);
    child.kill("SIGINT");
    const out = await child.output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 130, new TextDecoder().decode(out.stderr));
    assert.match(stdout, /ended: interrupted/);
    const enqueued = Number(stdout.match(/^(\d+)\s+0\s+0\s+0\s+0\s+\d+/m)?.[1]);
    assert.ok(enqueued >= 5 && enqueued < 1000, `enqueued ${enqueued}`);
    assert.equal(await assertNoHalfWrittenJob(server), enqueued);
  } finally {
    await server.stop();
  }
});

/** Reads a child's stderr as it comes; `until(text)` resolves once it contains `text`. */
function stderrWatcher(child: Deno.ChildProcess) {
  let text = "";
  const done = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (text += chunk) }),
  );
  return {
    done: done.then(() => text),
    until: async (what: string) => {
      while (!text.includes(what)) await new Promise((r) => setTimeout(r, 5));
    },
  };
}

/**
 * Resolves once Redis holds part of the first batch: a client inside MULTI with
 * `commands` queued, or (were the batch not a transaction) that many keys written.
 */
async function waitForPartOfABatch(server: RedisServer, commands: number): Promise<void> {
  const redis = await connectRedis({ url: server.url });
  try {
    for (let i = 0; i < 5000; i++) {
      const [list, keys] = await redis.pipeline([["CLIENT", "LIST"], ["DBSIZE"]]);
      const queued = [...String(list).matchAll(/ multi=(\d+)/g)].map((m) => Number(m[1]));
      if (Math.max(Number(keys), ...queued) >= commands) return;
      await new Promise((r) => setTimeout(r, 2));
    }
    throw new Error("no batch seen");
  } finally {
    await redis.close();
  }
}

Deno.test("interrupt: two SIGINTs in the middle of a big transaction leave whole batches only", async () => {
  const server = await startRedis();
  const batch = 20_000;
  try {
    const child = spawnCli(server, ["--jobs", String(3 * batch), "--batch", String(batch)]);
    const stderr = stderrWatcher(child);
    // Redis holds part of a batch: the first Ctrl-C is handled while the rest is still
    // being written, the second (quit at once) follows.
    await waitForPartOfABatch(server, 100);
    child.kill("SIGINT");
    await stderr.until("interrupted: stopping");
    child.kill("SIGINT");
    const [status] = await Promise.all([child.status, child.stdout.cancel()]);
    assert.equal(status.code, 130, await stderr.done);
    const n = await assertNoHalfWrittenJob(server);
    assert.ok(n < 3 * batch, `${n} jobs`);
    assert.equal(n % batch, 0, `${n} jobs: not whole batches of ${batch}`);
  } finally {
    await server.stop();
  }
});
