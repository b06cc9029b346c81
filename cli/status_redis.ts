/**
 * `frappe-op status --redis-depth`: reads each worker's waiting and running
 * jobs live from the bench's own queue Redis (address and password from the
 * Service or `spec.redis.queue.external` and the Secret, as the load test
 * resolves them), with the reader the operator uses for status
 * (redis/queue_depth.ts). `--redis URL` replaces the address of the one
 * bench named. A bench whose Redis cannot be read keeps the status values
 * and gets a warning: status itself still succeeds.
 */
import type { KubeClient } from "../kube/client.ts";
import { KubeClusterView } from "../loadtest/cluster.ts";
import { connectRedis, redactUrl } from "../redis/connect.ts";
import { readQueueDepths } from "../redis/queue_depth.ts";
import type { FdView } from "./status_view.ts";

async function readDepths(view: FdView, url: string, password: string | undefined) {
  const redis = await connectRedis({ url, password, connectTimeoutMs: 5000 });
  try {
    const depths = await readQueueDepths(redis, view.benchId, view.workers);
    for (const w of view.workers) {
      const d = depths.get(w.type);
      if (!d) continue;
      w.queueDepth = d.queueDepth;
      w.running = d.running;
      w.depthSource = "redis";
    }
  } finally {
    await redis.close();
  }
}

/** Fills queueDepth/running of every view from Redis; warnings go to `warn`. */
export async function addRedisDepths(
  views: FdView[],
  client: KubeClient,
  urlOverride: string | undefined,
  warn: (line: string) => void,
): Promise<void> {
  const cluster = new KubeClusterView(client);
  for (const view of views) {
    const id = `${view.namespace}/${view.name}`;
    let url = urlOverride ?? "";
    try {
      const target = await cluster.benchTarget(view.namespace, view.name);
      url = urlOverride ?? target.redisUrl;
      if (!target.redisPassword && target.redisPasswordMissing) {
        throw new Error(`no password: ${target.redisPasswordMissing}`);
      }
      await readDepths(view, url, target.redisPassword);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      const where = url ? ` at ${redactUrl(url)}` : "";
      warn(`frappe-op status: ${id}: queue depth not read from Redis${where}: ${msg}`);
    }
  }
}
