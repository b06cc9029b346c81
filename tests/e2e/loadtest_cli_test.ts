/**
 * `frappe-op loadtest` exactly as a user runs it, against a FrappeDeployment
 * the operator rolled out, with real KEDA, the HPA and real RQ workers:
 * `bin/frappe-op` (the binary's permissions) as a subprocess, target
 * `<ns>/<fd>`, so the CLI itself reads the bench id, the Redis Service name
 * and the password Secret from the API, discovers the worker Deployments and
 * their ScaledObjects, samples the replicas while KEDA scales, writes the
 * report (--json) and judges the expectations (exit code).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { EXIT } from "../../loadtest/errors.ts";
import type { Report } from "../../loadtest/report.ts";
import { kubeconfigPath, REPO_ROOT } from "../support/cluster.ts";
import { e2eTest } from "./e2e.ts";
import { desiredReplicas, withShortBench } from "./fd.ts";

const COOLDOWN = 15;
const POLLING = 2;
/** The CLI's sampling interval (--interval). */
const INTERVAL = 1;

async function loadtest(args: string[]) {
  const out = await new Deno.Command(join(REPO_ROOT, "bin", "frappe-op"), {
    args: ["loadtest", ...args, "--kubeconfig", kubeconfigPath(), "--interval", String(INTERVAL)],
    // Empty means unset for the CLI: the password must come from the bench's Secret.
    env: { REDIS_PASSWORD: "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

async function readReport(file: string): Promise<Report> {
  return JSON.parse(await Deno.readTextFile(file));
}

e2eTest("frappe-op loadtest CLI: bulk-email against KEDA, expectations and --json", async (ns) => {
  const scaling = {
    maxReplicas: 4,
    queueLength: 2,
    cooldownPeriod: COOLDOWN,
    pollingInterval: POLLING,
  };
  const dir = await Deno.makeTempDir({ prefix: "e2e-loadtest-" });
  try {
    await withShortBench(ns, "lt", scaling, async (bench, timeline) => {
      await timeline.until("short at 0", (desired) => desired === 0, 60_000, 250);

      // bulk-email's 2 s jobs, 20 instead of 50 to keep the test short.
      const json = join(dir, "bulk-email.json");
      const ok = await loadtest([
        `${ns}/lt`,
        ...["--scenario", "bulk-email", "--jobs", "20", "--timeout", "240"],
        ...["--expect-no-loss", "--expect-scale-up-within", "30"],
        ...["--expect-scale-down-within", "60", "--expect-max-replicas", "short=4"],
        ...["--json", json],
      ]);
      console.log(ok.stdout);
      assert.equal(ok.code, EXIT.ok, `exit ${ok.code}: ${ok.stderr}`);
      assert.doesNotMatch(ok.stderr, /expectation failed/);
      assert.match(ok.stdout, /loadtest bulk-email: Frappe v15, bench \S+, queue short/);

      const r = await readReport(json);
      assert.equal(r.scenario, "bulk-email");
      assert.equal(r.benchId, bench.benchId, "bench id from the FrappeDeployment");
      assert.equal(r.endedBy, "done");
      assert.equal(r.jobs.enqueued, 20);
      assert.equal(r.jobs.finished, r.jobs.enqueued);
      assert.equal(r.jobs.failed, 0);
      assert.equal(r.jobs.missing, 0);
      assert.equal(r.jobs.stillQueued + r.jobs.stillRunning, 0);
      // Worker discovery: the three worker Deployments, min/max from the ScaledObject.
      const byType = Object.fromEntries(r.workers.map((w) => [w.type, w]));
      assert.deepEqual(Object.keys(byType).sort(), ["default", "long", "short"]);
      const short = byType.short;
      assert.equal(short.deployment, "lt-worker-short");
      assert.equal(short.minReplicas, 0);
      assert.equal(short.alwaysOnPeakReplicas, 4, "maxReplicas read from the ScaledObject");
      assert.ok(short.peakReplicas >= 2, `short peaked at ${short.peakReplicas} (>= 2)`);
      assert.ok(short.peakReplicas <= 4, `short peaked at ${short.peakReplicas} (<= maxReplicas)`);
      assert.ok(short.replicaSeconds > 0);
      assert.equal(byType.long.peakReplicas, 0);
      const t = r.timings;
      assert.ok(t.firstScaleUpSeconds !== undefined && t.firstScaleUpSeconds <= 30);
      assert.ok(t.drainSeconds !== undefined);
      assert.ok(t.backToMinSeconds !== undefined, "back at 0");
      // The CLI's drain is its first sample without a queued or running job; KEDA's cooldown
      // counts from its last poll that saw one (at most a poll before the drain).
      const down = t.backToMinSeconds! - t.drainSeconds!;
      assert.ok(
        down >= COOLDOWN - POLLING - INTERVAL - 1,
        `back at 0 ${down.toFixed(1)} s after the drain: before the ${COOLDOWN} s cooldown`,
      );
      assert.equal(await desiredReplicas(ns, "lt-worker-short"), 0, "short at 0 when it returned");

      // An expectation the bench cannot meet: back at 0 within 5 s of the drain, with a 15 s
      // cooldown. Exit 3, one line naming the flag; the others pass; the report is written.
      const json2 = join(dir, "impossible.json");
      const bad = await loadtest([
        `${ns}/lt`,
        ...["--scenario", "bulk-email", "--jobs", "6", "--job-seconds", "1", "--timeout", "240"],
        ...["--expect-no-loss", "--expect-scale-down-within", "5", "--json", json2],
      ]);
      console.log(bad.stdout);
      assert.equal(bad.code, EXIT.expectationFailed, `exit ${bad.code}: ${bad.stderr}`);
      const failures = bad.stderr.split("\n").filter((l) => l.startsWith("expectation failed:"));
      assert.equal(failures.length, 1, bad.stderr);
      assert.match(
        failures[0],
        /^expectation failed: --expect-scale-down-within 5: back to minimum \d+(\.\d)?s after the queue drained$/,
      );
      const r2 = await readReport(json2);
      assert.equal(r2.jobs.finished, 6);
      assert.ok(r2.timings.backToMinSeconds! - r2.timings.drainSeconds! > 5);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
