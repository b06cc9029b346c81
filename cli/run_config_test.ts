import assert from "node:assert/strict";
import { FlagError } from "./flags.ts";
import { parseRunConfig } from "./run_config.ts";

Deno.test("run flags: defaults, explicit values and the pod's identity", () => {
  const d = parseRunConfig([], { HOSTNAME: "laptop" }, () => "abc");
  assert.equal(d.identity, "laptop-abc");
  assert.equal(d.namespaces, undefined, "all namespaces");
  assert.equal(d.resyncMs, 300_000);
  assert.equal(d.leaderElect, false);
  assert.equal(d.healthPort, 8081);
  assert.equal(d.metricsPort, 8080);
  assert.equal(d.reapplyIntervalMs, 3_600_000);
  const c = parseRunConfig(
    [
      "--namespaces=a, b",
      "--leader-elect",
      "--resync",
      "30s",
      "--log-format",
      "text",
      "--health-port",
      "0",
    ],
    { POD_NAME: "frappe-op-7d9", POD_NAMESPACE: "frappe-op-system" },
    () => "x",
  );
  assert.deepEqual(c.namespaces, ["a", "b"]);
  assert.equal(c.leaderElect, true);
  assert.equal(c.leaderElectionNamespace, "frappe-op-system");
  assert.equal(c.identity, "frappe-op-7d9");
  assert.equal(c.resyncMs, 30_000);
  assert.equal(c.logFormat, "text");
  assert.equal(c.healthPort, 0);
  assert.throws(() => parseRunConfig(["--log-level", "loud"], {}, () => ""), FlagError);
  assert.throws(() => parseRunConfig(["extra"], {}, () => ""), /unexpected argument/);
});

Deno.test("run flags: a loop period of 0, a port above 65535, a re-apply under 1m are refused", () => {
  const bad = (args: string[], pattern: RegExp) =>
    assert.throws(() => parseRunConfig(args, {}, () => ""), pattern, args.join(" "));
  bad(["--keda-recheck", "0"], /--keda-recheck must be at least 1000 ms, got "0"/);
  bad(["--resync", "0s"], /--resync must be at least 1000 ms/);
  bad(["--progress-requeue", "10ms"], /--progress-requeue must be at least 100 ms/);
  bad(["--health-port", "99999"], /--health-port must be an integer from 0 to 65535/);
  bad(["--metrics-port", "-1"], /--metrics-port/);
  bad(["--reapply-interval", "30s"], /--reapply-interval must be 0 \(never\) or at least 1m/);
  bad(["--reapply-interval", "soon"], /--reapply-interval: "soon" is not a duration/);
  assert.equal(parseRunConfig(["--reapply-interval", "0"], {}, () => "").reapplyIntervalMs, 0);
  assert.equal(
    parseRunConfig(["--reapply-interval", "1m"], {}, () => "").reapplyIntervalMs,
    60_000,
  );
  const ok = parseRunConfig(["--keda-recheck", "1s", "--progress-requeue", "500ms"], {}, () => "");
  assert.equal(ok.kedaRecheckMs, 1000);
  assert.equal(ok.progressRequeueMs, 500);
});

Deno.test("run flags: the queue observer's concurrency and poll interval", () => {
  const d = parseRunConfig([], {}, () => "");
  assert.deepEqual([d.queueReadConcurrency, d.queuePollIntervalMs], [4, 30_000]);
  const c = parseRunConfig(
    ["--queue-read-concurrency", "8", "--queue-poll-interval", "5s"],
    {},
    () => "",
  );
  assert.deepEqual([c.queueReadConcurrency, c.queuePollIntervalMs], [8, 5000]);
  const bad = (args: string[], pattern: RegExp) =>
    assert.throws(() => parseRunConfig(args, {}, () => ""), pattern, args.join(" "));
  bad(["--queue-read-concurrency", "0"], /--queue-read-concurrency must be an integer >= 1/);
  bad(["--queue-poll-interval", "1s"], /--queue-poll-interval must be at least 5000 ms/);
});
