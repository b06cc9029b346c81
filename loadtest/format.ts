/** Plain-text renderings of a Report and of one live Sample (the CLI prints them). */

import type { Sample } from "./observer.ts";
import type { Baseline, Report } from "./report.ts";

const show = (v: number | undefined, unit = "s") => v === undefined ? "-" : `${v}${unit}`;
/** Dollars: cents for big amounts, six decimals for the small ones a short test costs. */
const money = (n: number) => n >= 1 ? n.toFixed(2) : n.toFixed(6);

function baselineText(b: Baseline): string {
  const p = b.savedPercent;
  const saved = p === undefined ? "" : p >= 0 ? ` (${p}% saved)` : ` (autoscaled cost ${-p}% more)`;
  return `$${money(b.cost)}${saved}`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd())
    .join("\n");
}

export function formatReport(r: Report): string {
  if (r.endedBy === "not-observed") return formatEnqueueOnly(r);
  const j = r.jobs;
  const t = r.timings;
  const lines = [
    `loadtest ${r.scenario}: Frappe v${r.frappeVersion}, bench ${r.benchId}, ` +
    `queue ${r.queues.join(",")}${r.loadTenant ? `, load on ${r.loadTenant}` : ""}`,
    `ended: ${r.endedBy} after ${r.observedSeconds}s`,
    "",
    table([
      [
        "enqueued",
        "finished",
        "failed",
        "lost",
        "gone",
        "still queued",
        "still running",
        "missing",
      ],
      [j.enqueued, j.finished, j.failed, j.lost, j.gone, j.stillQueued, j.stillRunning, j.missing]
        .map(String),
    ]),
    "",
    `enqueue:            ${t.enqueueSeconds}s (${t.enqueueRate} jobs/s)`,
    "times from the first enqueue:",
    `first scale-up:     ${show(t.firstScaleUpSeconds)}`,
    `peak replicas at:   ${show(t.peakReplicasSeconds)}`,
    `queue drained:      ${show(t.drainSeconds)}`,
    `back to minimum:    ${show(t.backToMinSeconds)}`,
  ];
  if (r.workers.length) {
    lines.push(
      "",
      table([
        [
          "tenant",
          "worker",
          "min",
          "peak",
          "desired replica-s",
          "cost $",
          "always-on 1 $",
          "always-on peak",
          "always-on peak $",
        ],
        ...r.workers.map((w) => [
          w.tenant,
          w.deployment,
          String(w.minReplicas),
          String(w.peakReplicas),
          String(w.replicaSeconds),
          money(w.cost),
          money(w.alwaysOnOneReplicaCost),
          `${w.alwaysOnPeakReplicas} (${w.alwaysOnPeakBasis})`,
          money(w.alwaysOnPeakCost),
        ]),
      ]),
      "replicas: spec.replicas, what KEDA/the HPA asked for (desired), not running pods",
      "",
      `cost at $${r.cost.prices.vcpuHour}/vCPU-h, $${r.cost.prices.gibHour}/GiB-h: ` +
        `autoscaled $${money(r.cost.autoscaled)}`,
      `  vs always-on, 1 replica per worker (a bench without autoscaling): ` +
        baselineText(r.cost.alwaysOnOneReplica),
      `  vs always-on at peak (maxReplicas, else the observed peak):       ` +
        baselineText(r.cost.alwaysOnPeak),
    );
  }
  if (r.otherTenantsStayedAtMin !== undefined) {
    lines.push(`other tenants stayed at minimum: ${r.otherTenantsStayedAtMin ? "yes" : "NO"}`);
  }
  return lines.join("\n");
}

/** `--no-wait`: what was written, nothing about scaling or cost (nothing was watched). */
function formatEnqueueOnly(r: Report): string {
  const t = r.timings;
  return [
    `loadtest ${r.scenario}: Frappe v${r.frappeVersion}, bench ${r.benchId}, ` +
    `queue ${r.queues.join(",")}`,
    `enqueued ${r.jobs.enqueued} jobs in ${t.enqueueSeconds}s (${t.enqueueRate} jobs/s); ` +
    "not observed (--no-wait): `frappe-op status` shows the queue and the workers",
  ].join("\n");
}

export function formatSample(s: Sample, enqueued: number): string {
  const j = s.jobs;
  const replicas = Object.entries(s.replicas).flatMap(([, ds]) =>
    Object.entries(ds).map(([d, n]) => `${d.replace(/^.*-worker-/, "")}=${n}`)
  );
  return `[${(s.tMs / 1000).toFixed(0)}s] queue ${s.queued} running ${s.running} | ` +
    `jobs ${j.finished}/${enqueued} done, ${j.failed} failed, ${j.lost} lost` +
    (replicas.length ? ` | replicas ${replicas.join(" ")}` : "");
}
