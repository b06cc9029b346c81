/**
 * What a worker pod needs to know about its bench, standing in for reading
 * the sites volume: bench_id and the queue Redis URL from the FrappeDeployment's
 * `<fd>-config` Secret (key common_site_config.json, what the configure Job
 * copies into sites/), and the Frappe major version (which RQ the bench pins).
 */
import { childName, rqQueueName } from "../../apis/naming.ts";

export const CONFIG_KEY = "common_site_config.json";
export const INSTANCE_LABEL = "app.kubernetes.io/instance";

export interface BenchConfig {
  benchId: string;
  redisQueue: string;
}

/** Name of the config Secret of FrappeDeployment `fd` (docs/CONTRACT.md). */
export function configSecretName(fd: string): string {
  return childName([fd, "config"]);
}

/** Parses common_site_config.json; throws when bench_id or redis_queue is missing. */
export function parseCommonSiteConfig(json: string): BenchConfig {
  const c = JSON.parse(json) as Record<string, unknown>;
  if (typeof c.bench_id !== "string" || c.bench_id === "") {
    throw new Error("common_site_config.json has no bench_id");
  }
  if (typeof c.redis_queue !== "string" || c.redis_queue === "") {
    throw new Error("common_site_config.json has no redis_queue");
  }
  return { benchId: c.bench_id, redisQueue: c.redis_queue };
}

/** `frappe/erpnext:v16.2.0` -> "16"; undefined when the tag says nothing. */
export function frappeVersionFromImage(image: string | undefined): string | undefined {
  const tag = (image ?? "").split("@")[0].match(/:v?(\d+)(\.|$)/);
  return tag ? tag[1] : undefined;
}

/** The RQ Frappe pins per major version (FACTS.md §3): v16 rq 2.6.1, else rq 1.15.1. */
export function rqVersionFor(frappeVersion: string): string {
  return Number(frappeVersion) >= 16 ? "2.6.1" : "1.15.1";
}

export interface WorkerCommand {
  venvDir: string;
  standinDir: string;
  workerName: string;
  config: BenchConfig;
  queues: string[];
}

/** argv of the real RQ worker, named after the pod, on Frappe's bench-scoped queue names. */
export function rqWorkerArgv(w: WorkerCommand): string[] {
  return [
    `${w.venvDir}/bin/rq`,
    "worker",
    "--url",
    w.config.redisQueue,
    "--name",
    w.workerName,
    "--path",
    w.standinDir,
    ...w.queues.map((q) => rqQueueName(w.config.benchId, q)),
  ];
}
