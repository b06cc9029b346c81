import assert from "node:assert/strict";
import { z } from "zod";
import { formatIssues } from "./k8s_schema.ts";
import { type WorkersInput, workersSchema } from "./workers.ts";

function parse(input: WorkersInput) {
  return workersSchema.parse(input);
}

function errors(input: unknown): string[] {
  const r = workersSchema.safeParse(input);
  assert.equal(r.success, false, "expected a validation error");
  return formatIssues(r.error!.issues);
}

function assertError(input: unknown, path: string, fragment: string): void {
  const errs = errors(input);
  assert.ok(
    errs.some((e) => e.startsWith(path) && e.includes(fragment)),
    `no "${path}: ...${fragment}..." in ${JSON.stringify(errs)}`,
  );
}

Deno.test("defaults follow the per-type table; enabled stays unset", () => {
  const w = parse({});
  assert.deepEqual(w.short.autoscaling, {
    minReplicas: 0,
    maxReplicas: 10,
    pollingInterval: 15,
    cooldownPeriod: 60,
    queueLength: 5,
  });
  assert.equal(w.short.autoscaling.enabled, undefined);
  assert.deepEqual(w.long.autoscaling, {
    minReplicas: 0,
    maxReplicas: 5,
    pollingInterval: 15,
    cooldownPeriod: 120,
    queueLength: 1,
  });
  assert.equal(w.default.replicas, 1);
  assert.equal(w.default.autoscaling.minReplicas, 1);
  assert.deepEqual(w.short.resources, {
    requests: { cpu: "500m", memory: "1Gi" },
    limits: { cpu: "1000m", memory: "2Gi" },
  });
  assert.deepEqual(w.long.resources, {
    requests: { cpu: "2000m", memory: "4Gi" },
    limits: { cpu: "4000m", memory: "8Gi" },
  });
  assert.deepEqual(w.default.resources, {
    requests: { cpu: "200m", memory: "512Mi" },
    limits: { cpu: "500m", memory: "1Gi" },
  });
  assert.deepEqual([w.short.queues, w.long.queues, w.default.queues], [
    ["short"],
    ["long"],
    ["default"],
  ]);
  assert.deepEqual(w.custom, []);
});

Deno.test("a partial autoscaling block keeps the other defaults", () => {
  const w = parse({ long: { autoscaling: { enabled: true, maxReplicas: 2 } } });
  assert.equal(w.long.autoscaling.enabled, true);
  assert.equal(w.long.autoscaling.maxReplicas, 2);
  assert.equal(w.long.autoscaling.queueLength, 1);
  assert.equal(w.long.autoscaling.cooldownPeriod, 120);
});

Deno.test("range and cross-field rules give messages a person can act on", () => {
  assertError(
    { short: { autoscaling: { minReplicas: 4, maxReplicas: 2 } } },
    "short.autoscaling.minReplicas",
    "minReplicas must be <= maxReplicas",
  );
  assertError({ short: { autoscaling: { maxReplicas: 0 } } }, "short.autoscaling", ">= 1");
  assertError({ long: { autoscaling: { minReplicas: -1 } } }, "long.autoscaling", ">= 0");
  assertError(
    { short: { autoscaling: { pollingInterval: 0 } } },
    "short.autoscaling.pollingInterval",
    "pollingInterval must be >= 1",
  );
  assertError(
    { short: { autoscaling: { cooldownPeriod: -5 } } },
    "short.autoscaling.cooldownPeriod",
    "cooldownPeriod must be >= 0",
  );
  assertError(
    { default: { autoscaling: { enabled: true, minReplicas: 0 } } },
    "default.autoscaling.minReplicas",
    "scheduled jobs land in the default queue",
  );
});

Deno.test("custom workers: DNS names, not a built-in, timeout required and >= 1", () => {
  assertError({ custom: [{ name: "short", timeout: 60 }] }, "custom[0].name", "must not be short");
  assertError({ custom: [{ name: "Bad_Name", timeout: 60 }] }, "custom[0].name", "DNS label");
  assertError({ custom: [{ name: "reports", timeout: 0 }] }, "custom[0].timeout", ">= 1 second");
  assertError(
    { custom: [{ name: "reports" }] },
    "custom[0].timeout",
    "required for a custom queue",
  );
  assertError(
    { custom: [{ name: "r", timeout: 9 }, { name: "r", timeout: 9 }] },
    "custom[1].name",
    "defined twice",
  );
  const w = parse({ custom: [{ name: "reports", timeout: 3600 }] });
  assert.equal(w.custom[0].autoscaling.queueLength, 1);
  assert.equal(w.custom[0].queues, undefined);
});

Deno.test("queues must be declared and a grace period override must cover the timeout", () => {
  assertError({ short: { queues: ["nope"] } }, "short.queues", 'undeclared queue "nope"');
  assertError({ short: { queues: ["short", "short"] } }, "short.queues", "must not repeat");
  assertError(
    { long: { terminationGracePeriodSeconds: 1000 } },
    "long.terminationGracePeriodSeconds",
    '1500 s timeout of queue "long"',
  );
  assertError(
    { custom: [{ name: "big", timeout: 7200, terminationGracePeriodSeconds: 3600 }] },
    "custom[0].terminationGracePeriodSeconds",
    "7200 s",
  );
  // Exactly the timeout leaves RQ no time to report and exit: the margin is required too.
  assertError(
    { short: { terminationGracePeriodSeconds: 300 } },
    "short.terminationGracePeriodSeconds",
    "(360 s)",
  );
  assertError(
    { long: { terminationGracePeriodSeconds: 1559 } },
    "long.terminationGracePeriodSeconds",
    "(1560 s)",
  );
  assert.equal(
    parse({ long: { terminationGracePeriodSeconds: 1560 } }).long
      .terminationGracePeriodSeconds,
    1560,
  );
  // A built-in worker may serve a declared custom queue.
  parse({ default: { queues: ["default", "big"] }, custom: [{ name: "big", timeout: 60 }] });
});

Deno.test("the CRD schema carries CEL rules, list types and no default for enabled", () => {
  // deno-lint-ignore no-explicit-any
  const schema = z.toJSONSchema(workersSchema, { io: "input" }) as Record<string, any>;
  const rules = schema["x-kubernetes-validations"] as { rule: string; message: string }[];
  const messages = rules.map((r) => r.message).join("\n");
  assert.match(messages, /default worker: autoscaling.minReplicas must be >= 1/);
  assert.match(messages, /terminationGracePeriodSeconds must be >= the job timeout/);
  assert.match(messages, /undeclared queue/);
  const autoscaling = schema.properties.short.properties.autoscaling;
  assert.equal(autoscaling.properties.enabled.default, undefined);
  assert.equal(autoscaling.properties.maxReplicas.minimum, 1);
  assert.equal(autoscaling.properties.pollingInterval.minimum, 1);
  assert.equal(autoscaling.properties.cooldownPeriod.minimum, 0);
  assert.equal(autoscaling.properties.minReplicas.minimum, 0);
  assert.match(autoscaling["x-kubernetes-validations"][0].rule, /minReplicas <= self.maxReplicas/);
  const custom = schema.properties.custom;
  assert.equal(custom["x-kubernetes-list-type"], "map");
  assert.deepEqual(custom["x-kubernetes-list-map-keys"], ["name"]);
  assert.match(custom.items["x-kubernetes-validations"][0].rule, /self.name in/);
  assert.equal(custom.items.properties.timeout.minimum, 1);
  assert.ok(custom.items.required.includes("timeout"));
  assert.ok(custom.items.properties.name.pattern);
});

Deno.test("custom workers: no name another FrappeDeployment's children could have", () => {
  for (
    const name of ["gunicorn", "nginx", "socketio", "scheduler", "redis-cache", "worker-short"]
  ) {
    assertError({ custom: [{ name, timeout: 60 }] }, "custom[0].name", "<fd>-worker");
  }
  parse({ custom: [{ name: "workers", timeout: 60 }, { name: "nginx-logs", timeout: 60 }] });
});
