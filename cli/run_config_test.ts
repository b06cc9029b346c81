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
