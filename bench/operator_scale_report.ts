/** The numbers of bench/operator_scale.ts and the table it prints. */
import { type Counters, DRY_RUN_VERBS, sum } from "./operator_process.ts";

export interface Result {
  date: string;
  fds: number;
  namespaces: number;
  /** Objects per FrappeDeployment in the phases reachable without pods. */
  childrenPerFd: number;
  resyncS: number;
  resyncs: number;
  /** Seconds from spawning the operator. */
  readyS: number;
  halfConvergedS: number;
  convergedS: number;
  lastWriteS: number;
  quietS: number;
  atConverged: Counters;
  atQuiet: Counters;
  atEnd: Counters;
  messageAtConverged: string;
  messageAtQuiet: string;
  /** The operator's Events at quiet, by reason: objects and writes (sum of count). */
  events: Record<string, { events: number; count: number }>;
  operatorFlags: string[];
  rssAtReadyKiB: number;
  peakRssKiB: number;
  steadyRssKiB: number[];
  exitCode: number;
  /** [seconds, FrappeDeployments converged] whenever the count changed. */
  progress: [number, number][];
  cpus: number;
  loadavg: number[];
}

const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
const per = (n: number, d: number) => (d > 0 ? (n / d).toFixed(2) : "-");

function delta(a: Counters, b: Counters): Counters {
  const requests: Record<string, number> = {};
  for (const v of new Set([...Object.keys(a.requests), ...Object.keys(b.requests)])) {
    requests[v] = (b.requests[v] ?? 0) - (a.requests[v] ?? 0);
  }
  return {
    requests,
    notOk: Object.fromEntries(
      Object.entries(b.notOk).map(([k, n]) => [k, n - (a.notOk[k] ?? 0)]),
    ),
    reconciles: b.reconciles - a.reconciles,
    reconcileErrors: b.reconcileErrors - a.reconcileErrors,
    reconcileSeconds: b.reconcileSeconds - a.reconcileSeconds,
  };
}

function counts(m: Record<string, number>): string {
  return Object.entries(m).filter(([, n]) => n > 0).sort()
    .map(([v, n]) => `${v} ${n}`).join(", ") || "none";
}
const byVerb = (c: Counters) => counts(c.requests);

/** Rows: [what, cold start (spawn -> quiet), steady (after quiet, N resyncs)]. */
export function rows(r: Result, reads: readonly string[], writes: readonly string[]): string[][] {
  const cold = r.atQuiet;
  const steady = delta(r.atQuiet, r.atEnd);
  const ms = (c: Counters) => per(c.reconcileSeconds * 1000, c.reconciles);
  const rss = r.steadyRssKiB;
  const mean = rss.reduce((a, b) => a + b, 0) / Math.max(rss.length, 1);
  const window = `${(r.resyncs * r.resyncS + 2).toFixed(0)} s`;
  return [
    ["window", `spawn -> quiet (${r.quietS.toFixed(1)} s)`, `${window} (${r.resyncs} resyncs)`],
    [
      "reconciles (errors)",
      `${cold.reconciles} (${cold.reconcileErrors})`,
      `${steady.reconciles} (${steady.reconcileErrors})`,
    ],
    ["mean reconcile duration", `${ms(cold)} ms`, `${ms(steady)} ms`],
    ["API requests by verb", byVerb(cold), byVerb(steady)],
    ["reads (get+list)", `${sum(cold, reads)}`, `${sum(steady, reads)}`],
    ["writes", `${sum(cold, writes)}`, `${sum(steady, writes)}`],
    ["dry runs (not writes)", `${sum(cold, DRY_RUN_VERBS)}`, `${sum(steady, DRY_RUN_VERBS)}`],
    ["watches opened", `${cold.requests.watch ?? 0}`, `${steady.requests.watch ?? 0}`],
    [
      "reads per reconcile",
      per(sum(cold, reads), cold.reconciles),
      per(sum(steady, reads), steady.reconciles),
    ],
    [
      "writes per reconcile",
      per(sum(cold, writes), cold.reconciles),
      per(sum(steady, writes), steady.reconciles),
    ],
    ["writes per FrappeDeployment", per(sum(cold, writes), r.fds), per(sum(steady, writes), r.fds)],
    ["answers other than ok", counts(cold.notOk), counts(steady.notOk)],
    [
      "RSS",
      `${mib(r.rssAtReadyKiB)} at ready, peak ${mib(r.peakRssKiB)}`,
      `${mib(Math.min(...rss))} .. ${mib(Math.max(...rss))}, mean ${mib(mean)}`,
    ],
  ];
}

export function printTable(
  r: Result | undefined,
  reads: readonly string[],
  writes: readonly string[],
): void {
  if (!r) return;
  console.log(
    `\nfrappe-op at ${r.fds} FrappeDeployments (${r.namespaces} namespace(s), ` +
      `${r.childrenPerFd} children each reachable without pods), flags ` +
      `[${r.operatorFlags.join(" ") || "defaults"}], ${r.date}, ${r.cpus} CPUs, ` +
      `load ${r.loadavg.map((l) => l.toFixed(1)).join(" ")}`,
  );
  console.log(
    `ready (informers synced) ${r.readyS.toFixed(1)} s; half converged ` +
      `${r.halfConvergedS.toFixed(1)} s; all converged ${r.convergedS.toFixed(1)} s; ` +
      `last write ${r.lastWriteS.toFixed(1)} s; operator exit code ${r.exitCode}\n`,
  );
  console.log(`erp-000 Progressing at converged: ${r.messageAtConverged}`);
  console.log(`erp-000 Progressing at quiet:     ${r.messageAtQuiet}`);
  const ev = Object.entries(r.events).map(([k, v]) => `${k} ${v.events} (count ${v.count})`);
  console.log(`operator Events at quiet: ${ev.join(", ") || "none"}\n`);
  const table = [["", "cold start", "steady state"], ...rows(r, reads, writes)];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  console.log(line(table[0]));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of table.slice(1)) console.log(line(row));
}
