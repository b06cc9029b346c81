/**
 * Where each of our jobs is, read from its `rq:job:<id>` hash. A job whose
 * status says `started` but whose worker is gone (its `rq:worker:<name>` key
 * expired) or has not heartbeaten for `lostAfterMs` is `lost`: a killed worker
 * leaves exactly that behind (RQ later moves it to failed as abandoned).
 * Finished/failed are sticky: once seen, a job's hash may expire (result_ttl).
 */

import { jobKey, workerKey } from "../apis/naming.ts";
import type { Redis } from "./redis.ts";

export type JobState = "queued" | "started" | "finished" | "failed" | "lost" | "missing" | "other";
export const TERMINAL: ReadonlySet<JobState> = new Set(["finished", "failed", "lost", "missing"]);
const STICKY: ReadonlySet<JobState> = new Set(["finished", "failed"]);

/** A count of 0 for every state. */
export function zeroCounts(): Record<JobState, number> {
  return { queued: 0, started: 0, finished: 0, failed: 0, lost: 0, missing: 0, other: 0 };
}

/** RQ `utcformat` -> epoch ms; undefined for an empty field. */
export function parseRqTime(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text.replace(/(\.\d{3})\d*Z$/, "$1Z"));
  return Number.isNaN(ms) ? undefined : ms;
}

interface Row {
  status: string | null;
  heartbeat?: number;
  worker: string | null;
}

function stateOf(row: Row, workerAlive: boolean, nowMs: number, lostAfterMs: number): JobState {
  switch (row.status) {
    case null:
      return "missing";
    case "queued":
    case "finished":
    case "failed":
      return row.status;
    case "started": {
      const stale = row.heartbeat !== undefined && nowMs - row.heartbeat > lostAfterMs;
      return !workerAlive || stale ? "lost" : "started";
    }
    default:
      return "other";
  }
}

export class JobTracker {
  readonly states = new Map<string, JobState>();

  constructor(ids: Iterable<string>, private readonly lostAfterMs: number) {
    for (const id of ids) this.states.set(id, "queued");
  }

  /** Re-reads every job not yet finished/failed. `nowMs` should be Redis' own clock. */
  async refresh(redis: Redis, nowMs: number): Promise<void> {
    const open = [...this.states].filter(([, s]) => !STICKY.has(s)).map(([id]) => id);
    if (open.length === 0) return;
    const replies = await redis.pipeline(
      open.map((
        id,
      ) => ["HMGET", jobKey(id), "status", "last_heartbeat", "started_at", "worker_name"]),
    );
    const rows: Row[] = replies.map((v) => {
      const [status, hb, started, worker] = v as (string | null)[];
      return { status, heartbeat: parseRqTime(hb) ?? parseRqTime(started), worker };
    });
    const alive = await this.workersAlive(redis, rows);
    open.forEach((id, i) => {
      const row = rows[i];
      const workerAlive = row.worker ? alive.get(row.worker) ?? true : true;
      this.states.set(id, stateOf(row, workerAlive, nowMs, this.lostAfterMs));
    });
  }

  private async workersAlive(redis: Redis, rows: Row[]): Promise<Map<string, boolean>> {
    const names = [
      ...new Set(rows.filter((r) => r.status === "started" && r.worker).map((r) => r.worker!)),
    ];
    const alive = new Map<string, boolean>();
    if (names.length === 0) return alive;
    const res = await redis.pipeline(names.map((n) => ["EXISTS", workerKey(n)]));
    names.forEach((n, i) => alive.set(n, res[i] === 1));
    return alive;
  }

  counts(): Record<JobState, number> {
    const c = zeroCounts();
    for (const s of this.states.values()) c[s]++;
    return c;
  }

  allTerminal(): boolean {
    for (const s of this.states.values()) if (!TERMINAL.has(s)) return false;
    return true;
  }
}
