/**
 * `frappe-op status --redis-depth`: reads each worker's waiting and running
 * jobs from the bench's queue Redis, with the load test's Redis helpers
 * (loadtest/redis.ts: short timeouts, classified errors) and its cluster view
 * (address and password from the Service and the credentials Secret).
 * Keys come from apis/naming.ts, the same function the ScaledObjects use.
 * A bench whose Redis cannot be read keeps the status values and gets a
 * warning: status itself still succeeds.
 */
import { queueKey, startedKey } from "../apis/naming.ts";
import type { KubeClient } from "../kube/client.ts";
import { KubeClusterView } from "../loadtest/cluster.ts";
import { connectRedis, redactUrl } from "../loadtest/redis.ts";
import type { FdView } from "./status_view.ts";

async function readDepths(view: FdView, url: string, password: string | undefined) {
  const redis = await connectRedis({ url, password });
  try {
    const results = await redis.pipeline(view.workers.flatMap((w) =>
      w.queues.flatMap((q) => [
        ["LLEN", queueKey(view.benchId, q)],
        ["ZCARD", startedKey(view.benchId, q)],
      ])
    ));
    let i = 0;
    for (const w of view.workers) {
      let queued = 0;
      let running = 0;
      for (const _q of w.queues) {
        queued += Number(results[i++]);
        running += Number(results[i++]);
      }
      if (w.queues.length === 0) continue;
      w.queueDepth = queued;
      w.running = running;
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
      await readDepths(view, url, target.redisPassword);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      const where = url ? ` at ${redactUrl(url)}` : "";
      warn(`frappe-op status: ${id}: queue depth not read from Redis${where}: ${msg}`);
    }
  }
}
