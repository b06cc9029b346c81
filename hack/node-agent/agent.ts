/**
 * The kubelet part: for every pod bound to this node, run what it stands for
 * (classify.ts), report its status, and finish it on deletion the way a
 * kubelet does: one SIGTERM, wait up to the grace period, SIGKILL of every
 * process of the container, then delete the pod with gracePeriodSeconds 0.
 */
import { errorChain, isNotFound } from "../../kube/errors.ts";
import type { Logger } from "../../kube/log.ts";
import type { AgentApi } from "./api.ts";
import { classifyPod, type ContainerSpec, type PodAction } from "./classify.ts";
import { HostsFile, serviceNames } from "./hosts.ts";
import { IpPool } from "./ip_pool.ts";
import { type Launch, type LaunchPaths, redisLaunch, servicesOf, workerLaunch } from "./launch.ts";
import { ContainerProcess } from "./process.ts";
import { redisPort } from "./redis_args.ts";
import {
  buildPodStatus,
  type ContainerInfo,
  type ContainerState,
  type RestartPolicy,
} from "./status.ts";

export interface AgentOptions extends LaunchPaths {
  nodeName: string;
  hostIP: string;
  jobSeconds: number;
  maxBackoffMs: number;
}

// deno-lint-ignore no-explicit-any
type Pod = any;

interface PodRuntime {
  pod: Pod;
  action: PodAction;
  containers: ContainerInfo[];
  proc?: ContainerProcess;
  ip: string;
  startTime: string;
  terminating: boolean;
  gone: boolean;
  writing?: Promise<void>;
  dirty: boolean;
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
const key = (pod: Pod) => `${pod.metadata.namespace}/${pod.metadata.name}`;

export class Agent {
  readonly #pods = new Map<string, PodRuntime>();
  readonly #ips = new IpPool();

  constructor(
    readonly api: AgentApi,
    readonly hosts: HostsFile,
    readonly log: Logger,
    readonly opts: AgentOptions,
  ) {}

  onPod(type: "added" | "updated" | "deleted", pod: Pod): void {
    if (pod.spec?.nodeName !== this.opts.nodeName) return;
    const rt = this.#pods.get(pod.metadata.uid);
    if (type === "deleted") {
      // Gone from the API (force-deleted, or our own delete): never cut a
      // warm shutdown short; otherwise stop with the pod's grace period.
      if (rt) {
        rt.gone = true;
        if (!rt.terminating) void this.#terminate(rt);
      }
      return;
    }
    if (rt) {
      rt.pod = pod;
      if (pod.metadata.deletionTimestamp && !rt.terminating) void this.#terminate(rt);
      return;
    }
    if (pod.metadata.deletionTimestamp) {
      void this.api.deletePodNow(pod.metadata.namespace, pod.metadata.name, pod.metadata.uid);
      return;
    }
    if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") return;
    this.#start(pod);
  }

  /** Re-points each running redis pod's Service names at it (Services may come later). */
  async refreshHosts(): Promise<void> {
    for (const rt of this.#pods.values()) {
      if (rt.action.kind !== "redis" || !rt.proc || rt.terminating) continue;
      await this.#publish(rt).catch((err) =>
        this.log.warn("hosts update failed", { error: errorChain(err) })
      );
    }
  }

  /** Agent exit: stop every container (one SIGTERM each, then its whole tree), drop the hosts lines. */
  async shutdown(graceMs: number): Promise<void> {
    await Promise.all([...this.#pods.values()].map(async (rt) => {
      rt.terminating = true;
      await rt.proc?.stop(graceMs);
    }));
    await this.hosts.remove();
  }

  #start(pod: Pod): void {
    const action = classifyPod(pod);
    const specs: ContainerSpec[] = pod.spec.containers ?? [];
    const waiting: ContainerState = { waiting: { reason: "ContainerCreating" } };
    const rt: PodRuntime = {
      pod,
      action,
      containers: specs.map((c) => ({
        name: c.name,
        image: c.image ?? "",
        state: waiting,
        restartCount: 0,
      })),
      ip: this.opts.hostIP,
      startTime: pod.status?.startTime ?? now(),
      terminating: false,
      gone: false,
      dirty: false,
    };
    this.#pods.set(pod.metadata.uid, rt);
    this.log.info("pod bound", { pod: key(pod), action: action.kind });
    const running: ContainerState = { running: { startedAt: now() } };
    if (action.kind === "idle" || action.kind === "job") {
      rt.containers.forEach((c) => c.state = running);
      this.#write(rt);
      if (action.kind === "job") setTimeout(() => this.#finishJob(rt), this.opts.jobSeconds * 1000);
      return;
    }
    rt.containers.forEach((c, i) => i > 0 && (c.state = running));
    if (action.kind === "redis") {
      rt.ip = this.#ips.allocate(pod.metadata.uid, (ip) => portFree(ip, redisPort(specs[0])));
    }
    void this.#run(rt);
  }

  #finishJob(rt: PodRuntime): void {
    if (rt.terminating) return;
    const at = now();
    rt.containers.forEach((c) => {
      c.state = {
        terminated: { exitCode: 0, reason: "Completed", startedAt: rt.startTime, finishedAt: at },
      };
    });
    this.#write(rt);
  }

  async #launch(rt: PodRuntime): Promise<Launch> {
    const a = rt.action;
    const c: ContainerSpec = rt.pod.spec.containers[0];
    if (a.kind === "worker") {
      return await workerLaunch(
        this.api,
        this.opts,
        rt.pod,
        c,
        a.queues,
        rt.containers[0].restartCount,
      );
    }
    return await redisLaunch(this.api, this.opts, rt.pod, c, rt.ip);
  }

  /** Starts the main process, and again after it exits, per restartPolicy with backoff. */
  async #run(rt: PodRuntime): Promise<void> {
    const main = rt.containers[0];
    const policy: RestartPolicy = rt.pod.spec.restartPolicy ?? "Always";
    while (!rt.terminating) {
      let launch: Launch;
      try {
        launch = await this.#launch(rt);
      } catch (err) {
        main.state = {
          waiting: { reason: "CreateContainerConfigError", message: errorChain(err) },
        };
        this.#write(rt);
        await delay(2000);
        continue;
      }
      if (rt.terminating) return;
      rt.proc = new ContainerProcess(launch.argv, {
        env: launch.env,
        cwd: this.opts.stateDir,
        logFile: launch.logFile,
      });
      const startedAt = now();
      main.state = { running: { startedAt } };
      this.log.info("process started", {
        pod: key(rt.pod),
        pid: rt.proc.pid,
        argv: launch.argv.slice(0, 2).join(" "),
      });
      if (rt.action.kind === "redis") {
        await this.#publish(rt).catch((e) => this.log.warn("hosts", { error: errorChain(e) }));
      }
      this.#write(rt);
      const exit = await rt.proc.exited;
      if (rt.terminating) return;
      const terminated: ContainerState = {
        terminated: {
          exitCode: exit.code,
          reason: exit.code === 0 ? "Completed" : "Error",
          startedAt,
          finishedAt: now(),
        },
      };
      this.log.warn("process exited", { pod: key(rt.pod), code: exit.code, signal: exit.signal });
      if (policy === "Never" || (policy === "OnFailure" && exit.code === 0)) {
        main.state = terminated;
        this.#write(rt);
        return;
      }
      main.lastState = terminated;
      main.restartCount++;
      main.state = { waiting: { reason: "CrashLoopBackOff" } };
      this.#write(rt);
      await delay(Math.min(1000 * 2 ** (main.restartCount - 1), this.opts.maxBackoffMs));
    }
  }

  async #publish(rt: PodRuntime): Promise<void> {
    const ns = rt.pod.metadata.namespace;
    const names = (await servicesOf(this.api, rt.pod)).flatMap((s) => serviceNames(s, ns));
    if (names.length > 0) await this.hosts.set(key(rt.pod), rt.ip, names);
  }

  async #terminate(rt: PodRuntime): Promise<void> {
    if (rt.terminating) return;
    rt.terminating = true;
    const p = rt.pod;
    const grace = p.metadata.deletionGracePeriodSeconds ?? p.spec.terminationGracePeriodSeconds ??
      30;
    this.log.info("stopping pod", { pod: key(p), graceSeconds: grace, pid: rt.proc?.pid });
    try {
      if (rt.proc) {
        const exit = await rt.proc.stop(grace * 1000);
        this.log.info("process stopped", { pod: key(p), code: exit.code, signal: exit.signal });
      }
      if (rt.action.kind === "redis") await this.hosts.remove(key(p));
      if (!rt.gone) {
        await this.api.deletePodNow(p.metadata.namespace, p.metadata.name, p.metadata.uid);
      }
    } catch (err) {
      this.log.error("finishing pod failed", { pod: key(p), error: errorChain(err) });
    } finally {
      this.#ips.release(p.metadata.uid);
      this.#pods.delete(p.metadata.uid);
    }
  }

  /** Coalesced status writes: at most one in flight per pod; the latest state wins. */
  #write(rt: PodRuntime): void {
    rt.dirty = true;
    if (rt.writing) return;
    rt.writing = (async () => {
      while (rt.dirty && !rt.gone && !rt.terminating) {
        rt.dirty = false;
        const status = buildPodStatus({
          restartPolicy: rt.pod.spec.restartPolicy ?? "Always",
          containers: rt.containers,
          podIP: rt.ip,
          hostIP: this.opts.hostIP,
          startTime: rt.startTime,
          now: now(),
        });
        try {
          await this.api.patchPodStatus(rt.pod.metadata.namespace, rt.pod.metadata.name, status);
        } catch (err) {
          this.log.warn("pod status write failed", { pod: key(rt.pod), error: errorChain(err) });
          if (isNotFound(err)) break;
          rt.dirty = true;
          await delay(1000);
        }
      }
      rt.writing = undefined;
    })();
  }
}

/** Nothing listens on ip:port yet (another agent's redis may hold an address). */
function portFree(hostname: string, port: number): boolean {
  try {
    Deno.listen({ hostname, port }).close();
    return true;
  } catch {
    return false;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
