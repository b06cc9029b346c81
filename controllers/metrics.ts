/**
 * A tiny Prometheus registry: counters, gauges (set or computed at scrape)
 * and histograms, rendered in the text exposition format. One per manager,
 * passed in; nothing global.
 */

type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  render(): string[];
}

const labelText = (labels: Labels) => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, "_")}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
};

export class Counter implements Family {
  readonly type = "counter";
  readonly #values = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const cur = this.#values.get(key) ?? { labels, value: 0 };
    cur.value += by;
    this.#values.set(key, cur);
  }

  get(labels: Labels = {}): number {
    return this.#values.get(labelText(labels))?.value ?? 0;
  }

  render(): string[] {
    return [...this.#values.values()].map((v) => `${this.name}${labelText(v.labels)} ${v.value}`);
  }
}

/** A gauge whose samples are read when scraped. */
export class Gauge implements Family {
  readonly type = "gauge";
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => { labels?: Labels; value: number }[],
  ) {}

  render(): string[] {
    return this.read().map((s) => `${this.name}${labelText(s.labels ?? {})} ${s.value}`);
  }
}

export class Histogram implements Family {
  readonly type = "histogram";
  readonly #counts: number[];
  #sum = 0;
  #count = 0;
  constructor(readonly name: string, readonly help: string, readonly buckets: number[]) {
    this.#counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    this.#sum += value;
    this.#count++;
    this.buckets.forEach((b, i) => {
      if (value <= b) this.#counts[i]++;
    });
  }

  get count(): number {
    return this.#count;
  }

  render(): string[] {
    return [
      ...this.buckets.map((b, i) => `${this.name}_bucket{le="${b}"} ${this.#counts[i]}`),
      `${this.name}_bucket{le="+Inf"} ${this.#count}`,
      `${this.name}_sum ${this.#sum}`,
      `${this.name}_count ${this.#count}`,
    ];
  }
}

export class Registry {
  readonly #families: Family[] = [];

  add<F extends Family>(family: F): F {
    this.#families.push(family);
    return family;
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    const lines = this.#families.flatMap((f) => [
      `# HELP ${f.name} ${f.help}`,
      `# TYPE ${f.name} ${f.type}`,
      ...f.render(),
    ]);
    return lines.join("\n") + "\n";
  }
}

/** The operator's metrics. */
export function operatorMetrics(registry: Registry) {
  return {
    reconciles: registry.add(
      new Counter("frappe_op_reconcile_total", "Reconciles by result (success, error)."),
    ),
    reconcileDuration: registry.add(
      new Histogram("frappe_op_reconcile_duration_seconds", "Duration of reconciles.", [
        0.01,
        0.05,
        0.1,
        0.25,
        0.5,
        1,
        2.5,
        5,
        10,
        30,
      ]),
    ),
    queueReads: registry.add(
      new Counter("frappe_op_queue_reads_total", "Reads of the benches' queue Redis by result."),
    ),
    apiRequests: registry.add(
      new Counter(
        "frappe_op_api_requests_total",
        "Kubernetes API requests by verb (dry runs: apply-dry-run, create-dry-run) and outcome " +
          "(ok, the API's reason, or network).",
      ),
    ),
  };
}
export type OperatorMetrics = ReturnType<typeof operatorMetrics>;
