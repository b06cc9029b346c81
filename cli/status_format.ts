/** Text output of `frappe-op status`: one block per FrappeDeployment. */
import { ConditionType } from "../apis/conditions.ts";
import type { FdView, WorkerRow } from "./status_view.ts";

/** Left-aligned columns separated by two spaces; trailing spaces trimmed. */
export function table(rows: string[][], indent = ""): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) =>
    indent + r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ")
      .trimEnd()
  ).join("\n") + "\n";
}

/** `45s`, `12m`, `5h`, `3d`, as kubectl prints ages. */
export function age(createdAt: string | undefined, now: Date): string {
  if (!createdAt) return "-";
  const s = Math.max(0, Math.floor((now.getTime() - Date.parse(createdAt)) / 1000));
  if (Number.isNaN(s)) return "-";
  if (s < 120) return `${s}s`;
  if (s < 120 * 60) return `${Math.floor(s / 60)}m`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

const n = (v: number | undefined) => (v === undefined ? "-" : String(v));

function range(w: WorkerRow): string {
  if (w.minReplicas === undefined || w.maxReplicas === undefined) return "-";
  return `${w.minReplicas}..${w.maxReplicas}`;
}

function workersTable(workers: WorkerRow[]): string {
  const rows = [["WORKER", "MODE", "REPLICAS", "READY", "MIN..MAX", "QUEUED", "RUNNING", "QUEUES"]];
  for (const w of workers) {
    rows.push([
      w.type,
      w.mode,
      n(w.replicas),
      n(w.readyReplicas),
      range(w),
      n(w.queueDepth),
      n(w.running),
      w.queues.join(","),
    ]);
  }
  return table(rows, "  ");
}

function conditionsTable(v: FdView): string {
  const rows = [["CONDITION", "STATUS", "REASON", "MESSAGE"]];
  for (const c of v.conditions) rows.push([c.type, c.status, c.reason, c.message]);
  return table(rows, "  ");
}

function headline(v: FdView, now: Date): string {
  const parts = [
    `phase ${v.phase ?? "-"}`,
    `bench ${v.benchId}`,
    `age ${age(v.createdAt, now)}`,
  ];
  return `${v.namespace}/${v.name}: ${parts.join(", ")}\n`;
}

function notes(v: FdView): string {
  const out: string[] = [];
  if (v.observedGeneration === undefined) {
    out.push("no status yet: is the operator running and watching this namespace?");
  } else if (v.generation !== undefined && v.observedGeneration < v.generation) {
    out.push(
      `status is for generation ${v.observedGeneration}, the spec is at ${v.generation}: ` +
        "the operator has not caught up yet",
    );
  }
  for (const e of v.specErrors ?? []) out.push(`invalid spec: ${e}`);
  if (v.workers.some((w) => w.queueDepth === undefined && w.running === undefined)) {
    const queues = v.conditions.find((c) => c.type === ConditionType.QueuesObserved);
    const why = queues && queues.status !== "True"
      ? `the operator could not read them (QueuesObserved ${queues.status}, ${queues.reason})`
      : "not reported in status";
    out.push(`QUEUED/RUNNING: ${why}; --redis-depth reads them live from Redis`);
  }
  return out.map((line) => `  ! ${line}\n`).join("");
}

export function formatViews(views: FdView[], now: Date): string {
  return views.map((v) => {
    let block = headline(v, now);
    if (v.conditions.length > 0) block += conditionsTable(v);
    if (v.workers.length > 0) block += workersTable(v.workers);
    if (v.workers.some((w) => w.depthSource === "redis")) {
      block += "  QUEUED/RUNNING read live from Redis (--redis-depth)\n";
    }
    return block + notes(v);
  }).join("\n");
}
