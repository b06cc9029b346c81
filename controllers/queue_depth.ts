/**
 * The queue-depth step of the reconcile: per worker, the jobs waiting and
 * running in its queues, as the queue observer (queue_observer.ts) last read
 * them. The reconcile never touches Redis: it computes where the bench's
 * queue Redis is, exactly as KEDA reaches it (queueRedisConnection: the
 * managed Service and the generated password, or the external URL, TLS and
 * passwordSecretRef), hands that to the observer, and reports the observer's
 * latest result. Before the observer's first read of a bench, status keeps
 * what it shows.
 */
import { ConditionReason as R, ConditionType as T } from "../apis/conditions.ts";
import { benchIdOf, type FrappeDeployment } from "../apis/frappedeployment.ts";
import { servedQueues } from "../apis/queues.ts";
import type { FrappeDeploymentStatus } from "../apis/status.ts";
import { DEFAULT_POLLING_INTERVAL } from "../apis/workers.ts";
import { errorChain } from "../kube/errors.ts";
import { objectKey } from "../kube/resources.ts";
import type { KubeObject } from "../kube/types.ts";
import type { QueueDepth } from "../redis/queue_depth.ts";
import type { ReconcileDeps } from "./deps.ts";
import { type QueueObservation, queuesCondition, type QueueTarget } from "./queue_read.ts";
import { readinessOf } from "./readiness.ts";
import { childNames } from "./render/common.ts";
import type { RenderContext } from "./render/context.ts";
import { fromBase64 } from "./render/credentials.ts";
import { workerModes } from "./render/workers.ts";
import { queueRedisConnection, queueRedisUrl } from "./render/triggerauth.ts";
import { conditionOf } from "./status.ts";

export function observeQueues(
  fd: FrappeDeployment,
  ctx: RenderContext,
  live: Map<string, KubeObject>,
  current: FrappeDeploymentStatus | undefined,
  deps: ReconcileDeps,
): QueueObservation {
  const key = objectKey(fd.metadata.namespace, fd.metadata.name);
  if (!queueRedisReady(fd, live)) {
    deps.queues?.forget(key);
    return {
      condition: queuesCondition(
        "Unknown",
        R.RedisNotReady,
        "waiting for the queue Redis to be ready",
      ),
    };
  }
  let target: QueueTarget;
  try {
    target = queueTarget(fd, ctx);
  } catch (err) {
    deps.queues?.forget(key);
    const missing = err instanceof MissingPassword;
    const message = missing ? err.message : `reading the queue Redis: ${errorChain(err)}`;
    return {
      condition: queuesCondition("False", missing ? R.SecretMissing : R.RedisUnreachable, message),
    };
  }
  const seed = observationInStatus(current);
  return deps.queues?.observe(target, seed) ?? seed;
}

/** Managed: once its StatefulSet is ready (nothing to read before). External: always. */
function queueRedisReady(fd: FrappeDeployment, live: Map<string, KubeObject>): boolean {
  if (fd.spec.redis.queue.external) return true;
  const sts = live.get(`StatefulSet/${childNames(fd).redisQueue}`);
  return sts !== undefined && readinessOf(sts).ready;
}

/** The smallest pollingInterval of the bench's workers, the re-read interval while busy. */
export function busyIntervalMs(fd: FrappeDeployment): number {
  const w = fd.spec.workers;
  const intervals = [w.short, w.long, w.default, ...w.custom]
    .map((s) => s.autoscaling?.pollingInterval ?? DEFAULT_POLLING_INTERVAL);
  return Math.min(...intervals) * 1000;
}

class MissingPassword extends Error {}

export function queueTarget(fd: FrappeDeployment, ctx: RenderContext): QueueTarget {
  const conn = queueRedisConnection(fd);
  const namespace = fd.metadata.namespace!;
  const generated = conn.passwordRef?.name === childNames(fd).credentials;
  let password: string | undefined;
  if (conn.passwordRef && generated) {
    const value = ctx.existingCredentials?.data?.[conn.passwordRef.key];
    if (typeof value !== "string") {
      const msg =
        `Secret ${namespace}/${conn.passwordRef.name} has no key "${conn.passwordRef.key}"`;
      throw new MissingPassword(msg);
    }
    password = fromBase64(value);
  }
  return {
    key: objectKey(namespace, fd.metadata.name),
    uid: fd.metadata.uid ?? "",
    url: queueRedisUrl(conn),
    password,
    passwordSecret: conn.passwordRef && !generated ? { namespace, ...conn.passwordRef } : undefined,
    benchId: benchIdOf(fd),
    workers: servedQueues(fd).workers.map((w) => ({ type: w.type, queues: w.queues })),
    busyIntervalMs: busyIntervalMs(fd),
    autoscaled: workerModes(fd, ctx).some((w) => w.mode === "autoscaled"),
  };
}

/** What status shows now: its QueuesObserved condition, and the depths when that is True. */
export function observationInStatus(status: FrappeDeploymentStatus | undefined): QueueObservation {
  const cond = conditionOf(status, T.QueuesObserved);
  if (!cond) return {};
  const condition = queuesCondition(cond.status, cond.reason, cond.message);
  if (cond.status !== "True") return { condition };
  const depths = new Map<string, QueueDepth>();
  for (const w of status?.workers ?? []) {
    if (w.queueDepth !== undefined && w.running !== undefined) {
      depths.set(w.type, { queueDepth: w.queueDepth, running: w.running });
    }
  }
  return { condition, depths };
}
