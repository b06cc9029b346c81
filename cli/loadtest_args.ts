/** Flags of `frappe-op loadtest` -> RunConfig. Every flag is documented in docs/loadtest.md. */

import { parseArgs } from "node:util";
import { BENCH_ID_PATTERN } from "../apis/frappedeployment.ts";
import { LoadtestError } from "../loadtest/errors.ts";
import { parseRedisUrl } from "../loadtest/redis.ts";
import { DEFAULT_PRICES } from "../loadtest/report.ts";
import type { Expectations } from "../loadtest/expect.ts";
import type { RunConfig } from "../loadtest/run.ts";
import { SCENARIOS } from "../loadtest/scenarios.ts";

export const USAGE = `usage: frappe-op loadtest [<namespace>/<name>] [flags]

target (one of):
  <namespace>/<name>            a FrappeDeployment (bench id, Redis, password, workers from the API)
  --tenant ns/name              repeatable; the first gets the load (multi-tenant)
  --redis URL --bench-id ID --site SITE   a Redis directly (redis:// or rediss://)
load:
  --scenario NAME               ${Object.keys(SCENARIOS).join(", ")}
  --queue Q  --jobs N  --job-seconds S  --job-timeout S  --frappe-version 15|16
  --rate R (jobs/s) | --burst (all at once, default)  --batch N
  --allow-overload              v16: enqueue even if the queue would reach the length at which
                                frappe.enqueue raises QueueOverloaded (500 + 50 x sites)
observe:
  --no-wait  --timeout S (600)  --interval S (2)  --lost-after S (90)  --json FILE
  --connect-timeout S (5)
  --price-vcpu-hour P (${DEFAULT_PRICES.vcpuHour})  --price-gib-hour P (${DEFAULT_PRICES.gibHour})
expect (exit 3 when not met):
  --expect-max-replicas N|TYPE=N (repeatable)  --expect-scale-up-within S
  --expect-scale-down-within S  --expect-no-loss
kubernetes:
  --kubeconfig PATH  --context NAME
`;

export interface CliConfig {
  run: RunConfig;
  jsonFile?: string;
  kubeconfig?: string;
  context?: string;
  help: boolean;
}

const OPTIONS = {
  scenario: { type: "string" },
  tenant: { type: "string", multiple: true },
  redis: { type: "string" },
  "bench-id": { type: "string" },
  site: { type: "string" },
  queue: { type: "string" },
  jobs: { type: "string" },
  "job-seconds": { type: "string" },
  "job-timeout": { type: "string" },
  "frappe-version": { type: "string" },
  rate: { type: "string" },
  burst: { type: "boolean" },
  batch: { type: "string" },
  "allow-overload": { type: "boolean" },
  "no-wait": { type: "boolean" },
  timeout: { type: "string" },
  interval: { type: "string" },
  "lost-after": { type: "string" },
  "connect-timeout": { type: "string" },
  json: { type: "string" },
  "price-vcpu-hour": { type: "string" },
  "price-gib-hour": { type: "string" },
  "expect-max-replicas": { type: "string", multiple: true },
  "expect-scale-up-within": { type: "string" },
  "expect-scale-down-within": { type: "string" },
  "expect-no-loss": { type: "boolean" },
  kubeconfig: { type: "string" },
  context: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function num(flag: string, v: string | undefined, min = 0): number | undefined {
  if (v === undefined) return undefined;
  const n = v.trim() === "" ? NaN : Number(v);
  if (!Number.isFinite(n) || n < min) {
    throw new LoadtestError("usage", `--${flag} must be a number >= ${min}, got "${v}"`);
  }
  return n;
}

function int(flag: string, v: string | undefined, min = 0): number | undefined {
  const n = num(flag, v, min);
  if (n !== undefined && !Number.isInteger(n)) {
    throw new LoadtestError("usage", `--${flag} must be a whole number, got "${v}"`);
  }
  return n;
}

/**
 * Every job is built (and tracked) in memory: 1,000,000 take about 2 GiB in
 * the bench's Redis and enqueue in a few minutes, while 30,000,000 exhausted
 * the load tester's heap (V8 out of memory) before the first one was sent.
 */
export const MAX_JOBS = 1_000_000;

function jobsOf(v: string | undefined): number | undefined {
  const n = int("jobs", v);
  if (n !== undefined && n > MAX_JOBS) {
    throw new LoadtestError(
      "usage",
      `--jobs must be <= ${MAX_JOBS.toLocaleString("en")}, got ${v}`,
    );
  }
  return n;
}

function benchIdOf(v: string | undefined): string | undefined {
  if (v !== undefined && !BENCH_ID_PATTERN.test(v)) {
    throw new LoadtestError(
      "usage",
      `--bench-id must be letters, digits, '.', '_' or '-' (no ':', which RQ's keys split on), ` +
        `got "${v}"`,
    );
  }
  return v;
}

type Values = ReturnType<typeof parse>["values"];

function parse(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (cause) {
    throw new LoadtestError("usage", (cause as Error).message, { cause });
  }
}

function scenarioOf(v: Values) {
  const name = v.scenario ?? "custom";
  const preset = name === "custom" ? undefined : SCENARIOS[name];
  if (name !== "custom" && !preset) {
    throw new LoadtestError(
      "usage",
      `unknown --scenario ${name} (${Object.keys(SCENARIOS).join(", ")})`,
    );
  }
  if (preset?.call === "scheduled_job" && v["job-seconds"] !== undefined) {
    throw new LoadtestError(
      "usage",
      `--scenario ${name} enqueues Frappe's run_scheduled_job, which takes no duration: ` +
        `--job-seconds does not apply`,
    );
  }
  return {
    ...(preset ?? { name, description: "flags only", queue: "short", jobs: 10, jobSeconds: 1 }),
    queue: v.queue ?? preset?.queue ?? "short",
    jobs: jobsOf(v.jobs) ?? preset?.jobs ?? 10,
    jobSeconds: num("job-seconds", v["job-seconds"]) ?? preset?.jobSeconds ?? 1,
  };
}

/** `--expect-max-replicas N` (every worker of the loaded tenant) and/or `TYPE=N`, repeatable. */
function maxReplicasOf(
  values: string[] = [],
): Pick<Expectations, "maxReplicas" | "maxReplicasByType"> {
  const flag = "expect-max-replicas";
  const all = values.filter((v) => !v.includes("="));
  if (all.length > 1) {
    throw new LoadtestError("usage", `--${flag} N given twice: ${all.join(", ")}`);
  }
  const byType = new Map<string, number>();
  for (const v of values.filter((v) => v.includes("="))) {
    const [type, n] = v.split("=", 2);
    if (!/^[a-z0-9-]+$/.test(type) || byType.has(type)) {
      throw new LoadtestError(
        "usage",
        `--${flag} wants N or TYPE=N (e.g. short=10), once per type, got "${v}"`,
      );
    }
    byType.set(type, int(flag, n)!);
  }
  return {
    maxReplicas: int(flag, all[0]),
    maxReplicasByType: byType.size ? Object.fromEntries(byType) : undefined,
  };
}

function frappeVersionOf(v: string | undefined): 15 | 16 | undefined {
  if (v === undefined) return undefined;
  if (v !== "15" && v !== "16") {
    throw new LoadtestError("usage", `--frappe-version must be 15 or 16`);
  }
  return Number(v) as 15 | 16;
}

export function parseLoadtestArgs(
  args: string[],
  env: { REDIS_PASSWORD?: string } = {},
): CliConfig {
  const { values: v, positionals } = parse(args);
  if (positionals.length > 1) {
    throw new LoadtestError("usage", `one target only, got ${positionals.join(" ")}`);
  }
  if (v.rate !== undefined && v.burst) {
    throw new LoadtestError("usage", "--rate and --burst exclude each other");
  }
  const tenants = [...positionals, ...(v.tenant ?? [])];
  if (v.redis !== undefined) parseRedisUrl(v.redis);
  const run: RunConfig = {
    scenario: scenarioOf(v),
    tenants,
    redisUrl: v.redis,
    redisPassword: env.REDIS_PASSWORD || undefined,
    benchId: benchIdOf(v["bench-id"]),
    site: v.site,
    frappeVersion: frappeVersionOf(v["frappe-version"]),
    jobTimeout: int("job-timeout", v["job-timeout"], 1),
    allowOverload: v["allow-overload"] ?? false,
    rate: num("rate", v.rate, 0.001),
    batchSize: int("batch", v.batch, 1),
    wait: !v["no-wait"],
    timeoutS: num("timeout", v.timeout) ?? 600,
    intervalS: num("interval", v.interval, 0.05) ?? 2,
    lostAfterS: num("lost-after", v["lost-after"]) ?? 90,
    connectTimeoutMs: (num("connect-timeout", v["connect-timeout"], 0.1) ?? 5) * 1000,
    prices: {
      vcpuHour: num("price-vcpu-hour", v["price-vcpu-hour"]) ?? DEFAULT_PRICES.vcpuHour,
      gibHour: num("price-gib-hour", v["price-gib-hour"]) ?? DEFAULT_PRICES.gibHour,
    },
    expect: {
      ...maxReplicasOf(v["expect-max-replicas"]),
      scaleUpWithinS: num("expect-scale-up-within", v["expect-scale-up-within"]),
      scaleDownWithinS: num("expect-scale-down-within", v["expect-scale-down-within"]),
      noLoss: v["expect-no-loss"] ?? false,
    },
  };
  if (!v.help && tenants.length === 0 && (!run.redisUrl || !run.benchId || !run.site)) {
    throw new LoadtestError(
      "usage",
      "give a <namespace>/<name> target, or --redis, --bench-id and --site",
    );
  }
  if (run.scenario.stayAtMinimum === "all" && tenants.length === 0) {
    throw new LoadtestError(
      "usage",
      `--scenario ${run.scenario.name} watches worker replicas: give a <namespace>/<name> target`,
    );
  }
  if (run.scenario.multiTenant && tenants.length < 2) {
    throw new LoadtestError("usage", "--scenario multi-tenant needs two or more --tenant ns/name");
  }
  return {
    run,
    jsonFile: v.json,
    kubeconfig: v.kubeconfig,
    context: v.context,
    help: v.help ?? false,
  };
}
