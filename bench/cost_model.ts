/**
 * The worker cost model of docs/cost.md, as code so every cell of its tables
 * can be re-derived: `./node_modules/.bin/deno run bench/cost_model.ts`
 * (no permissions; prints Markdown).
 *
 * One activation of an autoscaled worker type costs, in replica-seconds,
 * `work + P x (cooldown + startup)`: the jobs' run time, plus each of the P
 * replicas kept through the cooldown and its own start-up (the scaling
 * benchmark in docs/benchmarks.md measured this shape; start-up there is a
 * local process, a real pod pulls and starts an image). Prices are per
 * requested vCPU-hour and GiB-hour, the load test's defaults.
 */

import { WORKER_DEFAULTS } from "../apis/workers.ts";
import { quantityValue } from "../kube/quantity.ts";
import { DEFAULT_PRICES, type Prices } from "../loadtest/report.ts";

const HOURS_PER_MONTH = 730;
const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;
const GIB = 2 ** 30;

export interface Requests {
  cpu: string;
  memory: string;
}

/** One kind of burst: how often a day, its total job seconds, its peak replicas. */
export interface Burst {
  perDay: number;
  workSeconds: number;
  peak: number;
}

export interface Profile {
  name: string;
  short: Burst;
  long: Burst;
}

export interface Setup {
  name: string;
  shortCooldown: number;
  longCooldown: number;
  /** Requests of the always-on default worker. */
  defaultRequests: Requests;
}

export const PROFILES: Profile[] = [
  { name: "idle", short: burst(0, 0, 0), long: burst(0, 0, 0) },
  { name: "quiet", short: burst(10, 20, 1), long: burst(1, 300, 1) },
  { name: "typical", short: burst(50, 60, 2), long: burst(3, 600, 1) },
  { name: "busy", short: burst(200, 120, 4), long: burst(10, 900, 1) },
];

export const SETUPS: Setup[] = [
  {
    name: "A: operator defaults",
    shortCooldown: WORKER_DEFAULTS.short.cooldown,
    longCooldown: WORKER_DEFAULTS.long.cooldown,
    defaultRequests: WORKER_DEFAULTS.default.requests,
  },
  {
    name: "L: lean (default worker 25m/256Mi, cooldowns 30 s / 60 s)",
    shortCooldown: 30,
    longCooldown: 60,
    defaultRequests: { cpu: "25m", memory: "256Mi" },
  },
];

/** Shared per cluster: KEDA's operator and metrics server (100m/100Mi each) and frappe-op (50m/128Mi). */
export const SHARED_REQUESTS: Requests[] = [
  { cpu: "100m", memory: "100Mi" },
  { cpu: "100m", memory: "100Mi" },
  { cpu: "50m", memory: "128Mi" },
];

function burst(perDay: number, workSeconds: number, peak: number): Burst {
  return { perDay, workSeconds, peak };
}

export function hourly(r: Requests, prices: Prices = DEFAULT_PRICES): number {
  const cpu = quantityValue(r.cpu);
  const mem = quantityValue(r.memory);
  if (cpu === undefined || mem === undefined) {
    throw new Error(`not a quantity: ${r.cpu}/${r.memory}`);
  }
  return cpu * prices.vcpuHour + (mem / GIB) * prices.gibHour;
}

export function alwaysOnMonthly(r: Requests, prices: Prices = DEFAULT_PRICES): number {
  return hourly(r, prices) * HOURS_PER_MONTH;
}

/** Monthly cost of one autoscaled worker type under a burst profile. */
export function autoscaledMonthly(
  b: Burst,
  cooldown: number,
  startup: number,
  r: Requests,
  prices: Prices = DEFAULT_PRICES,
): number {
  const replicaSecondsPerDay = b.perDay * (b.workSeconds + b.peak * (cooldown + startup));
  return (replicaSecondsPerDay / 3600) * hourly(r, prices) * DAYS_PER_MONTH;
}

export interface TenantCost {
  short: number;
  long: number;
  default: number;
  total: number;
}

export function tenantMonthly(p: Profile, s: Setup, startup: number): TenantCost {
  const short = autoscaledMonthly(
    p.short,
    s.shortCooldown,
    startup,
    WORKER_DEFAULTS.short.requests,
  );
  const long = autoscaledMonthly(p.long, s.longCooldown, startup, WORKER_DEFAULTS.long.requests);
  const def = alwaysOnMonthly(s.defaultRequests);
  return { short, long, default: def, total: short + long + def };
}

export function sharedPerTenant(tenants: number): number {
  return SHARED_REQUESTS.reduce((sum, r) => sum + alwaysOnMonthly(r), 0) / tenants;
}

export function alwaysOnTenant(): number {
  return (["short", "long", "default"] as const)
    .reduce((sum, t) => sum + alwaysOnMonthly(WORKER_DEFAULTS[t].requests), 0);
}

const usd = (n: number) => n.toFixed(2);

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

function report(startups: number[], fleet: Record<string, number>, tenants: number): string {
  const always = alwaysOnTenant();
  const shared = sharedPerTenant(tenants);
  const out: string[] = [`always-on, 1 replica each at default requests: $${usd(always)}`];
  out.push(`shared overhead at ${tenants} tenants: $${usd(shared)} per tenant`);
  for (const startup of startups) {
    const rows: string[][] = [];
    for (const s of SETUPS) {
      for (const p of PROFILES) {
        const c = tenantMonthly(p, s, startup);
        const saving = (1 - c.total / always) * 100;
        rows.push([
          s.name,
          p.name,
          usd(c.short),
          usd(c.long),
          usd(c.default),
          usd(c.total),
          `${saving.toFixed(1)} %`,
        ]);
      }
      const mix = Object.entries(fleet)
        .reduce(
          (sum, [name, share]) => sum + share * tenantMonthly(byName(name), s, startup).total,
          0,
        );
      rows.push([s.name, "fleet mix + shared", "", "", "", usd(mix + shared), ""]);
    }
    out.push(`\nstart-up ${startup} s per replica`);
    out.push(
      table(["setup", "profile", "short", "long", "default", "total", "saving vs always-on"], rows),
    );
  }
  return out.join("\n");
}

function byName(name: string): Profile {
  const p = PROFILES.find((x) => x.name === name);
  if (!p) throw new Error(`no profile ${name}`);
  return p;
}

if (import.meta.main) {
  console.log(report([30, 3, 60], { quiet: 0.6, typical: 0.3, busy: 0.1 }, 100));
}
