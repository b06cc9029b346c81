import assert from "node:assert/strict";
import type { KubeObject } from "../kube/types.ts";
import { captureIo } from "./io.ts";
import { status, STATUS_EXIT } from "./status.ts";
import { age, formatViews } from "./status_format.ts";
import { viewOf } from "./status_view.ts";

const NOW = new Date("2026-01-01T01:00:00Z");

function fd(status?: Record<string, unknown>, workers: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "frappe-op.dev/v1alpha1",
    kind: "FrappeDeployment",
    metadata: {
      name: "erp",
      namespace: "shop",
      generation: 2,
      creationTimestamp: "2026-01-01T00:55:00Z",
      annotations: { "frappe-op.dev/autoscaling-default": "false" },
    },
    spec: { workers },
    ...(status ? { status } : {}),
  };
}

const cond = (type: string, s: string, reason = "R", message = "m") => ({
  type,
  status: s,
  reason,
  message,
  lastTransitionTime: "2026-01-01T00:56:00Z",
});

Deno.test("status view: status values, min..max from the spec, queue depth when reported", () => {
  const v = viewOf(fd({
    observedGeneration: 2,
    phase: "Ready",
    benchId: "shop.erp",
    conditions: [cond("Ready", "True"), cond("KedaAvailable", "True")],
    workers: [
      {
        type: "short",
        mode: "autoscaled",
        replicas: 3,
        readyReplicas: 2,
        queueDepth: 12,
        running: 3,
      },
      { type: "default", mode: "static", replicas: 1, readyReplicas: 1 },
    ],
  }, { short: { autoscaling: { enabled: true, maxReplicas: 7 } } }));
  const short = v.workers.find((w) => w.type === "short")!;
  assert.deepEqual(
    [short.mode, short.replicas, short.readyReplicas, short.minReplicas, short.maxReplicas],
    ["autoscaled", 3, 2, 0, 7],
  );
  assert.deepEqual([short.queueDepth, short.running, short.depthSource], [12, 3, "status"]);
  assert.deepEqual(short.queues, ["short"]);
  const long = v.workers.find((w) => w.type === "long")!;
  assert.deepEqual([long.mode, long.replicas, long.minReplicas], ["static", undefined, 1]);
  const text = formatViews([v], NOW);
  assert.match(text, /^shop\/erp: phase Ready, bench shop\.erp, age 5m$/m);
  assert.match(text, /^ {2}short +autoscaled +3 +2 +0\.\.7 +12 +3 +short$/m);
  assert.match(text, /^ {2}default +static +1 +1 +1\.\.1 +- +- +default$/m);
  assert.match(text, /QUEUED\/RUNNING: not reported in status; --redis-depth reads them live/);
  assert.doesNotMatch(text, /read live from Redis/);
  for (const w of v.workers) {
    [w.queueDepth, w.running, w.depthSource] = [0, 0, "redis"];
  }
  const live = formatViews([v], NOW);
  assert.match(
    live,
    /^ {2}default +static .*\n {2}QUEUED\/RUNNING read live from Redis \(--redis-depth\)$/m,
  );
});

Deno.test("status view: queues the operator could not read say why", () => {
  const v = viewOf(fd({
    observedGeneration: 2,
    phase: "Ready",
    conditions: [
      cond(
        "QueuesObserved",
        "False",
        "RedisAuthFailed",
        "Redis at redis://x rejected the credentials",
      ),
    ],
    workers: [{ type: "short", mode: "static", replicas: 1, readyReplicas: 1 }],
  }));
  const text = formatViews([v], NOW);
  assert.match(text, /^ {2}short +static +1 +1 +1\.\.1 +- +- +short$/m);
  assert.match(text, /^ {2}QueuesObserved +False +RedisAuthFailed +Redis at redis:\/\/x rejected/m);
  assert.match(
    text,
    /QUEUED\/RUNNING: the operator could not read them \(QueuesObserved False, RedisAuthFailed\)/,
  );
});

Deno.test("status view: static-fallback when KEDA is missing; no status yet; stale generation", () => {
  const fallback = viewOf(fd({
    observedGeneration: 1,
    conditions: [cond("KedaAvailable", "False", "KedaNotInstalled")],
    workers: [{ type: "short", mode: "static-fallback", replicas: 1, readyReplicas: 1 }],
  }, { short: { autoscaling: { enabled: true } } }));
  assert.equal(fallback.workers[0].mode, "static-fallback");
  assert.match(formatViews([fallback], NOW), /status is for generation 1, the spec is at 2/);
  const unreconciled = viewOf(fd(undefined, { short: { autoscaling: { enabled: true } } }));
  assert.equal(unreconciled.workers[0].mode, "autoscaled", "from the spec until status says");

  const fresh = viewOf(fd(undefined));
  assert.equal(fresh.benchId, "shop.erp");
  assert.deepEqual(fresh.workers.map((w) => w.type), ["short", "long", "default"]);
  assert.match(formatViews([fresh], NOW), /no status yet: is the operator running/);
});

Deno.test("status view: an invalid stored spec is reported, status still shown", () => {
  const v = viewOf(fd({ phase: "Degraded", observedGeneration: 2 }, {
    short: { autoscaling: { minReplicas: 5, maxReplicas: 2 } },
  }));
  assert.equal(v.phase, "Degraded");
  assert.match(v.specErrors?.join() ?? "", /minReplicas must be <= maxReplicas/);
  assert.match(formatViews([v], NOW), /! invalid spec: spec\.workers\.short/);
});

Deno.test("status: ages as kubectl prints them", () => {
  assert.equal(age("2026-01-01T00:59:30Z", NOW), "30s");
  assert.equal(age("2026-01-01T00:30:00Z", NOW), "30m");
  assert.equal(age("2025-12-31T20:00:00Z", NOW), "5h");
  assert.equal(age("2025-12-20T00:00:00Z", NOW), "12d");
  assert.equal(age(undefined, NOW), "-");
});

async function run(args: string[], files: Record<string, string> = {}, env = {}) {
  const io = captureIo({ files, env });
  const code = await status(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

Deno.test("status: bad flags exit 2", async () => {
  assert.equal((await run(["-A", "erp"])).code, STATUS_EXIT.usage);
  assert.equal((await run(["-A", "-n", "x"])).code, STATUS_EXIT.usage);
  assert.equal((await run(["-o", "yaml"])).code, STATUS_EXIT.usage);
  assert.equal((await run(["a", "b"])).code, STATUS_EXIT.usage);
  assert.equal((await run(["--redis", "redis://x"])).code, STATUS_EXIT.usage);
  const several = await run(["-A", "--redis-depth", "--redis", "redis://x"]);
  assert.equal(several.code, STATUS_EXIT.usage, "one --redis URL for every bench");
  assert.match(several.err, /--redis URL is the Redis of one bench: name its FrappeDeployment/);
  assert.equal((await run(["-n", "a", "--redis-depth", "--redis", "redis://x"])).code, 2);
  for (const url of ["redis://h:99999", "redis://:100%@h", "http://h"]) {
    const bad = await run(["-n", "a", "erp", "--redis-depth", "--redis", url]);
    assert.equal(bad.code, STATUS_EXIT.usage, url);
    assert.match(bad.err, /^frappe-op status: --redis: /, url);
  }
  assert.equal((await run(["--help"])).code, STATUS_EXIT.ok);
});

const KUBECONFIG = `apiVersion: v1
kind: Config
current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
`;

Deno.test("status: API server unreachable or no configuration exit 3 with a clear message", async () => {
  const down = await run(["--kubeconfig", "/cfg"], { "/cfg": KUBECONFIG });
  assert.equal(down.code, STATUS_EXIT.unreachable);
  assert.match(down.err, /cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:1/);

  const none = await run([], {}, {});
  assert.equal(none.code, STATUS_EXIT.unreachable);
  assert.match(none.err, /no usable Kubernetes configuration/);
});
