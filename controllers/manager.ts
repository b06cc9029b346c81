/**
 * The operator process: informers feeding a de-duplicating work queue,
 * reconcile workers and the queue observer (only while leading, when leader
 * election is on), KEDA detection polling, health and metrics state.
 * Shutdown order: stop taking work, finish in-flight reconciles, stop the
 * queue observer, release the lease, stop the informers.
 */
import type { KubeClient } from "../kube/client.ts";
import { type Clock, sleep } from "../kube/clock.ts";
import { errorChain, KubeApiError } from "../kube/errors.ts";
import { type ElectionEnd, LeaderElector } from "../kube/leader.ts";
import { KubeLeaseStore } from "../kube/lease_store.ts";
import type { Logger } from "../kube/log.ts";
import type { CountingTransport } from "../kube/transport.ts";
import { runWorkers, WorkQueue } from "../kube/workqueue.ts";
import type { ReconcileDeps, ReconcileOptions } from "./deps.ts";
import { AcceptedChildren } from "./dry_run.ts";
import { type EventRecorder, KubeEventRecorder } from "./events.ts";
import { Informers } from "./informers.ts";
import { CrdKedaDetector, type KedaDetector, KedaSwitch } from "./keda.ts";
import { Gauge, type OperatorMetrics, operatorMetrics, Registry } from "./metrics.ts";
import {
  DEFAULT_QUEUE_OBSERVER,
  QueueObserver,
  type QueueObserverConfig,
} from "./queue_observer.ts";
import { ReapplySchedule } from "./reapply.ts";
import { reconcile } from "./reconcile.ts";
import { RecentStatus } from "./status.ts";

export interface LeaderElectionConfig {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface ManagerConfig {
  client: KubeClient;
  /** Counted transport of the client, for the API request metrics. */
  transport?: CountingTransport;
  clock: Clock;
  log: Logger;
  namespaces?: string[];
  concurrency: number;
  resyncMs: number;
  kedaRecheckMs: number;
  reconcile: ReconcileOptions;
  leaderElection?: LeaderElectionConfig;
  keda?: KedaDetector;
  events?: EventRecorder;
  /** The queue observer's concurrency and poll interval; DEFAULT_QUEUE_OBSERVER if unset. */
  queues?: QueueObserverConfig;
}

/** `ok`, the API's reason (NotFound, Conflict, Forbidden, ...) or `network`. */
function outcomeOf(error: unknown): string {
  if (error === undefined) return "ok";
  return error instanceof KubeApiError ? error.reason : "network";
}

export class Manager {
  readonly queue: WorkQueue;
  readonly informers: Informers;
  readonly registry = new Registry();
  readonly metrics: OperatorMetrics;
  readonly elector?: LeaderElector;
  readonly queueObserver: QueueObserver;
  readonly #c: ManagerConfig;
  readonly #keda: KedaDetector;
  readonly #kedaSwitch: KedaSwitch;
  readonly #deps: ReconcileDeps;

  constructor(config: ManagerConfig) {
    this.#c = config;
    const { client, clock, log } = config;
    this.queue = new WorkQueue({ clock });
    this.informers = new Informers({
      client,
      clock,
      log,
      namespaces: config.namespaces,
      resyncMs: config.resyncMs,
      enqueue: (key) => this.queue.add(key),
      onResync: () => this.#enqueueAll(),
    });
    this.#keda = config.keda ?? new CrdKedaDetector(client, clock, config.kedaRecheckMs, log);
    this.#kedaSwitch = new KedaSwitch({
      keda: this.#keda,
      log,
      apply: (available) => this.#switchKeda(available),
    });
    const le = config.leaderElection;
    if (le) {
      const store = new KubeLeaseStore(client, le.namespace, le.name);
      this.elector = new LeaderElector({ ...le, store, clock, log });
    }
    this.metrics = operatorMetrics(this.registry);
    this.queueObserver = new QueueObserver(config.queues ?? DEFAULT_QUEUE_OBSERVER, {
      client,
      clock,
      log,
      enqueue: (key) => this.queue.add(key),
      onRead: (ok) => this.metrics.queueReads.inc({ result: ok ? "ok" : "failed" }),
    });
    this.#registerGauges();
    config.transport?.observe((verb, _req, error) =>
      this.metrics.apiRequests.inc({ verb, outcome: outcomeOf(error) })
    );
    this.#deps = {
      client,
      reader: this.informers.reader(),
      keda: this.#keda,
      events: config.events ?? new KubeEventRecorder(client, clock, log, le?.identity),
      clock,
      log,
      options: config.reconcile,
      recentStatus: new RecentStatus(),
      queues: this.queueObserver,
      accepted: new AcceptedChildren(),
      reapply: new ReapplySchedule(),
    };
  }

  /** Ready: informers synced and leader state known. */
  ready(): { ok: boolean; detail: string } {
    const unsynced = this.informers.unsynced();
    if (unsynced.length > 0) {
      return { ok: false, detail: `informers not synced: ${unsynced.join(", ")}` };
    }
    if (this.elector && !this.elector.stateKnown) {
      return { ok: false, detail: "leader state unknown" };
    }
    const role = this.elector
      ? (this.elector.isLeader ? "leader" : "standby")
      : "leader (no election)";
    return { ok: true, detail: `ok: ${role}` };
  }

  /** Runs until the signal aborts ("stopped") or leadership is lost ("lost"). */
  async run(signal: AbortSignal): Promise<ElectionEnd> {
    this.informers.start(await this.#kedaSwitch.initial());
    const background = new AbortController();
    const kedaLoop = this.#kedaLoop(background.signal);
    let workers: Promise<void> | undefined;
    const startWorkers = () => (workers ??= this.#work(signal));
    const electionStop = new AbortController();
    let end: Promise<ElectionEnd>;
    if (this.elector) {
      end = this.elector.run(electionStop.signal, { onStartedLeading: startWorkers });
    } else {
      startWorkers();
      end = new Promise((resolve) =>
        electionStop.signal.addEventListener("abort", () => resolve("stopped"))
      );
    }
    const stopped = new Promise<ElectionEnd>((resolve) => {
      if (signal.aborted) resolve("stopped");
      signal.addEventListener("abort", () => resolve("stopped"), { once: true });
    });
    const result = await Promise.race([end, stopped]);
    const log = this.#c.log;
    log.debug("stopping workers");
    this.queue.shutdown();
    await workers;
    log.debug("stopping the queue observer");
    await this.queueObserver.stop();
    log.debug("stopping leader election");
    electionStop.abort();
    await end;
    log.debug("stopping informers");
    background.abort();
    await Promise.all([kedaLoop, this.informers.stop()]);
    this.#c.log.info("manager stopped", { reason: result });
    return result;
  }

  /** Waits for synced caches, then reconciles until the queue shuts down. */
  async #work(signal: AbortSignal): Promise<void> {
    while (!this.informers.synced() && !signal.aborted) await sleep(this.#c.clock, 100, signal);
    if (signal.aborted) return;
    this.queueObserver.start();
    this.#enqueueAll();
    this.#c.log.info("reconciling", { workers: this.#c.concurrency });
    await runWorkers(
      this.queue,
      this.#c.concurrency,
      (key) => this.#reconcile(key),
      (key, err, retryInMs) =>
        this.#c.log.error("reconcile failed", { key, retryInMs, error: errorChain(err) }),
    );
  }

  async #reconcile(key: string) {
    const start = performance.now();
    try {
      const result = await reconcile(key, this.#deps);
      this.metrics.reconciles.inc({ result: "success" });
      return result;
    } catch (err) {
      this.metrics.reconciles.inc({ result: "error" });
      throw err;
    } finally {
      this.metrics.reconcileDuration.observe((performance.now() - start) / 1000);
    }
  }

  #enqueueAll(): void {
    for (const key of this.informers.frappeDeploymentKeys()) this.queue.add(key);
  }

  /** KEDA appeared, disappeared or was first seen: its informers follow, every key is re-queued. */
  #switchKeda(available: boolean): void {
    this.informers.setKeda(available);
    this.#enqueueAll();
  }

  /** Re-checks KEDA every `kedaRecheckMs`; `KedaSwitch` decides whether anything changes. */
  async #kedaLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.#c.clock, this.#c.kedaRecheckMs, signal);
      if (signal.aborted) return;
      await this.#kedaSwitch.recheck();
    }
  }

  #registerGauges(): void {
    const r = this.registry;
    r.add(
      new Gauge("frappe_op_workqueue_depth", "Keys waiting in the work queue.", () => [
        { value: this.queue.len() },
      ]),
    );
    r.add(
      new Gauge("frappe_op_workqueue_in_progress", "Keys being reconciled.", () => [
        { value: this.queue.processing() },
      ]),
    );
    r.add(
      new Gauge("frappe_op_leader", "1 when this replica leads.", () => [
        { value: !this.elector || this.elector.isLeader ? 1 : 0 },
      ]),
    );
    r.add(
      new Gauge(
        "frappe_op_queue_benches",
        "Benches whose queue Redis is observed, by state.",
        () => {
          const s = this.queueObserver.stats();
          return [
            { labels: { state: "ok" }, value: s.benches - s.failing },
            { labels: { state: "failing" }, value: s.failing },
          ];
        },
      ),
    );
    r.add(
      new Gauge("frappe_op_queue_reads_in_flight", "Queue Redis reads in progress.", () => [
        { value: this.queueObserver.stats().reading },
      ]),
    );
    r.add(
      new Gauge("frappe_op_informers_synced", "1 when every informer is synced.", () => [
        { value: this.informers.synced() ? 1 : 0 },
      ]),
    );
  }
}
