/**
 * The operator as a real process for bench/operator_scale.ts: `bin/frappe-op
 * run` (the binary's exact Deno permissions; it execs deno, so the pid we
 * spawn is the operator's), its RSS from /proc/<pid>/status and its
 * Prometheus counters from /metrics, sampled into a time series.
 */
import { REPO_ROOT } from "../tests/support/cluster.ts";

/** The verbs `frappe_op_api_requests_total` counts under, as the operator's CountingTransport names them. */
export { DRY_RUN_VERBS, WRITE_VERBS } from "../kube/transport.ts";

export interface Sample {
  /** Seconds since the operator was spawned. */
  t: number;
  rssKiB: number;
  /** Counters from /metrics at t (undefined while it does not answer yet). */
  counters?: Counters;
}

export interface Counters {
  /** frappe_op_api_requests_total by verb (every outcome). */
  requests: Record<string, number>;
  /** Requests whose outcome was not ok, by outcome (NotFound, Conflict, network, ...). */
  notOk: Record<string, number>;
  reconciles: number;
  reconcileErrors: number;
  reconcileSeconds: number;
}

export const READ_VERBS = ["get", "list"];

export const sum = (c: Counters | undefined, verbs: readonly string[]) =>
  verbs.reduce((s, v) => s + (c?.requests[v] ?? 0), 0);

/** Parses the counters bench/operator_scale.ts reports from Prometheus text. */
export function parseCounters(text: string): Counters {
  const out: Counters = {
    requests: {},
    notOk: {},
    reconciles: 0,
    reconcileErrors: 0,
    reconcileSeconds: 0,
  };
  for (const line of text.split("\n")) {
    const m = line.match(/^([a-z_]+)(?:\{([^}]*)\})? ([0-9.e+-]+)$/);
    if (!m) continue;
    const [, name, labelText = "", valueText] = m;
    const labels = Object.fromEntries(
      [...labelText.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]),
    );
    const value = Number(valueText);
    if (name === "frappe_op_api_requests_total") {
      out.requests[labels.verb] = (out.requests[labels.verb] ?? 0) + value;
      if (labels.outcome && labels.outcome !== "ok") {
        out.notOk[labels.outcome] = (out.notOk[labels.outcome] ?? 0) + value;
      }
    } else if (name === "frappe_op_reconcile_total") {
      out.reconciles += value;
      if (labels.result === "error") out.reconcileErrors += value;
    } else if (name === "frappe_op_reconcile_duration_seconds_sum") {
      out.reconcileSeconds = value;
    }
  }
  return out;
}

/** VmRSS and VmHWM (peak RSS) of a process, in KiB. */
export async function memoryOf(pid: number): Promise<{ rss: number; hwm: number } | undefined> {
  try {
    const text = await Deno.readTextFile(`/proc/${pid}/status`);
    const field = (name: string) =>
      Number(text.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m"))?.[1]);
    return { rss: field("VmRSS"), hwm: field("VmHWM") };
  } catch {
    return undefined;
  }
}

export interface OperatorOptions {
  kubeconfig: string;
  namespaces: string[];
  port: number;
  resync: string;
  logFile: string;
  /** More `run` flags, e.g. ["--concurrency", "4"]. */
  extraArgs?: string[];
}

export class OperatorProcess {
  readonly samples: Sample[] = [];
  readonly startedAt = performance.now();
  readonly #child: Deno.ChildProcess;
  readonly #url: string;
  #hwm = 0;
  #stop = false;
  #sampling: Promise<void>;
  exit?: Deno.CommandStatus;

  constructor(readonly opts: OperatorOptions) {
    this.#url = `http://127.0.0.1:${opts.port}`;
    const args = [
      "run",
      "--namespaces",
      opts.namespaces.join(","),
      "--bind-address",
      "127.0.0.1",
      "--health-port",
      String(opts.port),
      "--metrics-port",
      String(opts.port),
      "--resync",
      opts.resync,
      "--log-format",
      "json",
      ...(opts.extraArgs ?? []),
    ];
    // sh execs bin/frappe-op, which execs deno: one pid, the operator's.
    this.#child = new Deno.Command("sh", {
      args: ["-c", 'exec "$0" "$@" >>"$LOG" 2>&1', `${REPO_ROOT}bin/frappe-op`, ...args],
      clearEnv: true,
      env: {
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        HOME: Deno.env.get("HOME") ?? "/root",
        KUBECONFIG: opts.kubeconfig,
        LOG: opts.logFile,
      },
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    this.#child.status.then((s) => this.exit = s);
    this.#sampling = this.#sample();
  }

  get pid(): number {
    return this.#child.pid;
  }

  /** Peak RSS the kernel saw (VmHWM), KiB. */
  get peakRssKiB(): number {
    return this.#hwm;
  }

  seconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  last(): Sample | undefined {
    return this.samples.at(-1);
  }

  async ready(): Promise<boolean> {
    try {
      const r = await fetch(`${this.#url}/readyz`);
      await r.body?.cancel();
      return r.ok;
    } catch {
      return false;
    }
  }

  async counters(): Promise<Counters | undefined> {
    try {
      const r = await fetch(`${this.#url}/metrics`);
      return r.ok ? parseCounters(await r.text()) : undefined;
    } catch {
      return undefined;
    }
  }

  /** RSS every 250 ms, counters every second. */
  async #sample(): Promise<void> {
    let tick = 0;
    while (!this.#stop && !this.exit) {
      const mem = await memoryOf(this.pid);
      if (mem) {
        this.#hwm = Math.max(this.#hwm, mem.hwm);
        const counters = tick % 4 === 0 ? await this.counters() : undefined;
        this.samples.push({ t: this.seconds(), rssKiB: mem.rss, counters });
      }
      tick++;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** SIGTERM (graceful shutdown), SIGKILL after timeoutMs; returns the exit code. */
  async stop(timeoutMs = 30_000): Promise<number> {
    this.#stop = true;
    await this.#sampling;
    if (!this.exit) {
      this.#child.kill("SIGTERM");
      const timer = setTimeout(() => this.exit || this.#child.kill("SIGKILL"), timeoutMs);
      await this.#child.status;
      clearTimeout(timer);
    }
    return (await this.#child.status).code;
  }
}
