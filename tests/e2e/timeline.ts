/** Samples a Deployment's replica counts once a second: the scaling timeline of a test. */
import { eventually } from "../support/cluster.ts";
import { kube, sleep } from "./stack.ts";

export interface Sample {
  t: number;
  desired: number;
  ready: number;
}

export class Timeline {
  readonly samples: Sample[] = [];
  #stop = false;
  #done: Promise<void>;

  constructor(readonly namespace: string, readonly deployment: string, intervalMs = 1000) {
    this.#done = this.#loop(intervalMs);
  }

  async #loop(intervalMs: number): Promise<void> {
    const client = await kube();
    while (!this.#stop) {
      const d = await client.get({
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: this.namespace,
        name: this.deployment,
      })
        .catch(() => undefined);
      if (d) {
        this.samples.push({
          t: Date.now(),
          desired: d.spec?.replicas ?? 0,
          ready: d.status?.readyReplicas ?? 0,
        });
      }
      await sleep(intervalMs);
    }
  }

  /** Waits until the latest sample's desired replicas satisfy `pred`. */
  async until(
    what: string,
    pred: (desired: number) => boolean,
    timeoutMs: number,
    intervalMs = 1000,
  ): Promise<void> {
    await eventually(
      what,
      () => {
        const last = this.samples.at(-1);
        return Promise.resolve((last !== undefined && pred(last.desired)) || undefined);
      },
      timeoutMs,
      intervalMs,
    );
  }

  get max(): number {
    return Math.max(0, ...this.samples.map((s) => s.desired));
  }

  /** First time at/after `from` when desired replicas satisfied `pred`. */
  firstAt(pred: (s: Sample) => boolean, from = 0): number | undefined {
    return this.samples.find((s) => s.t >= from && pred(s))?.t;
  }

  /** Replica-seconds of desired replicas between two times. */
  replicaSeconds(from: number, to: number): number {
    let total = 0;
    for (let i = 1; i < this.samples.length; i++) {
      const a = this.samples[i - 1], b = this.samples[i];
      const lo = Math.max(a.t, from), hi = Math.min(b.t, to);
      if (hi > lo) total += a.desired * (hi - lo) / 1000;
    }
    return total;
  }

  /** `+12s 0->1` lines for each change of desired replicas. */
  changes(start: number): string[] {
    const out: string[] = [];
    let last = -1;
    for (const s of this.samples) {
      if (s.desired !== last) {
        const t = Math.round((s.t - start) / 1000);
        out.push(`${t < 0 ? t : `+${t}`}s ${last < 0 ? "" : `${last}->`}${s.desired}`);
      }
      last = s.desired;
    }
    return out;
  }

  async stop(): Promise<void> {
    this.#stop = true;
    await this.#done;
  }
}
