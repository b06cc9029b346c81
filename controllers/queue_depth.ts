/**
 * The queue-depth step: per worker, the jobs waiting and running in its
 * queues (redis/queue_depth.ts), read from the bench's queue Redis exactly
 * as KEDA reaches it (queueRedisConnection: the managed Service and the
 * generated password, or the external URL, TLS and passwordSecretRef).
 *
 * One short-lived connection per read (connect, AUTH, one pipeline, close):
 * nothing to leak when a FrappeDeployment goes or leadership moves, and a
 * changed password or address is used at once. Reads are bounded in time
 * (connect and reply timeouts) and in rate: with `deps.queueReads` (the
 * manager's), a bench is read at most once per refresh interval however
 * often events wake its reconcile, which also keeps the status write a
 * depth change causes from waking a read of its own. A failure never fails
 * the reconcile: the depths are left out and QueuesObserved says why.
 */
import { ConditionReason as R, ConditionType as T } from "../apis/conditions.ts";
import { benchIdOf, type FrappeDeployment } from "../apis/frappedeployment.ts";
import { servedQueues } from "../apis/queues.ts";
import { DEFAULT_POLLING_INTERVAL } from "../apis/workers.ts";
import { errorChain } from "../kube/errors.ts";
import type { KubeObject } from "../kube/types.ts";
import {
  classifyRedisError,
  connectRedis,
  isRedisError,
  RedisError,
  type RedisFailure,
} from "../redis/connect.ts";
import { busy, type QueueDepth, readQueueDepths } from "../redis/queue_depth.ts";
import type { ReconcileDeps } from "./deps.ts";
import { readinessOf } from "./readiness.ts";
import { childNames } from "./render/common.ts";
import type { RenderContext } from "./render/context.ts";
import { fromBase64 } from "./render/credentials.ts";
import { workerModes } from "./render/workers.ts";
import { type QueueRedisConnection, queueRedisConnection } from "./render/triggerauth.ts";
import type { ObservedCondition } from "./status.ts";

/** Budgets of one read: a dead or silent Redis costs a reconcile about 3 s at most. */
export const QUEUE_CONNECT_TIMEOUT_MS = 1500;
export const QUEUE_COMMAND_TIMEOUT_MS = 1000;
/** Floor of the re-read interval while jobs wait or run (a pollingInterval may be 1 s). */
export const MIN_QUEUE_REFRESH_MS = 5000;
/** Re-read interval while the queue Redis cannot be read. */
export const FAILED_QUEUE_REFRESH_MS = 30_000;

export interface QueueObservation {
  /** Per worker type; absent when the queues were not read. */
  depths?: Map<string, QueueDepth>;
  condition: ObservedCondition;
  /** Read again after this long: jobs are waiting or running, or the read failed. */
  requeueAfterMs?: number;
}

const REASON: Record<RedisFailure, string> = {
  usage: R.RedisUnreachable,
  unreachable: R.RedisUnreachable,
  auth: R.RedisAuthFailed,
  tls: R.RedisTlsFailed,
  wrongType: R.QueueKeyWrongType,
};

/** A failure that is not Redis' own (the password Secret). */
class PasswordError extends Error {
  constructor(readonly reason: string, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

export async function observeQueues(
  fd: FrappeDeployment,
  ctx: RenderContext,
  live: Map<string, KubeObject>,
  deps: ReconcileDeps,
): Promise<QueueObservation> {
  if (!queueRedisReady(fd, live)) {
    return {
      condition: condition("Unknown", R.RedisNotReady, "waiting for the queue Redis to be ready"),
    };
  }
  const now = deps.clock.now();
  const last = deps.queueReads?.last(fd);
  if (last && now < last.freshUntil) return last.observation;
  const observation = await readQueues(fd, ctx, deps);
  const { status, message } = observation.condition;
  if (status === "False" && message !== last?.observation.condition.message) {
    deps.log.warn("reading queue depths failed", {
      namespace: fd.metadata.namespace,
      name: fd.metadata.name,
      reason: observation.condition.reason,
      error: message,
    });
  }
  const refresh = observation.requeueAfterMs ?? refreshMs(fd);
  deps.queueReads?.remember(fd, { observation, freshUntil: now + refresh - FRESHNESS_SLACK_MS });
  return observation;
}

/** A requeue timer may fire a little before the entry it was set for runs out. */
const FRESHNESS_SLACK_MS = 500;

/** Managed: once its StatefulSet is ready (nothing to read before). External: always. */
function queueRedisReady(fd: FrappeDeployment, live: Map<string, KubeObject>): boolean {
  if (fd.spec.redis.queue.external) return true;
  const sts = live.get(`StatefulSet/${childNames(fd).redisQueue}`);
  return sts !== undefined && readinessOf(sts).ready;
}

/** The smallest pollingInterval of the bench's workers, at least MIN_QUEUE_REFRESH_MS. */
export function refreshMs(fd: FrappeDeployment): number {
  const w = fd.spec.workers;
  const intervals = [w.short, w.long, w.default, ...w.custom]
    .map((s) => s.autoscaling?.pollingInterval ?? DEFAULT_POLLING_INTERVAL);
  return Math.max(MIN_QUEUE_REFRESH_MS, Math.min(...intervals) * 1000);
}

async function readQueues(
  fd: FrappeDeployment,
  ctx: RenderContext,
  deps: ReconcileDeps,
): Promise<QueueObservation> {
  let url = "the queue Redis";
  try {
    const conn = queueRedisConnection(fd);
    url = `${conn.tls ? "rediss" : "redis"}://${conn.address}/${conn.databaseIndex}`;
    const redis = await connectRedis({
      url,
      password: await queuePassword(fd, conn, ctx, deps),
      connectTimeoutMs: QUEUE_CONNECT_TIMEOUT_MS,
      commandTimeoutMs: QUEUE_COMMAND_TIMEOUT_MS,
    });
    let depths: Map<string, QueueDepth>;
    try {
      depths = await readQueueDepths(redis, benchIdOf(fd), servedQueues(fd).workers);
    } finally {
      await redis.close();
    }
    return {
      depths,
      condition: condition("True", R.QueuesRead, `queue depths read from ${url}`),
      requeueAfterMs: busy(depths) ? refreshMs(fd) : undefined,
    };
  } catch (err) {
    return { condition: failed(fd, ctx, err, url), requeueAfterMs: FAILED_QUEUE_REFRESH_MS };
  }
}

function failed(
  fd: FrappeDeployment,
  ctx: RenderContext,
  err: unknown,
  url: string,
): ObservedCondition {
  if (err instanceof PasswordError) return condition("False", err.reason, err.message);
  if (!(err instanceof RedisError) && !isRedisError(err)) {
    return condition("False", R.RedisUnreachable, `reading ${url}: ${errorChain(err)}`);
  }
  const classified = classifyRedisError(err, { url });
  const autoscaled = workerModes(fd, ctx).some((w) => w.mode === "autoscaled");
  const hint = autoscaled ? " (KEDA reads the same Redis: autoscaled workers may not scale)" : "";
  return condition("False", REASON[classified.kind], classified.message + hint);
}

/** The queue Redis password: the generated one, or the user's Secret (not cached: a direct read). */
async function queuePassword(
  fd: FrappeDeployment,
  conn: QueueRedisConnection,
  ctx: RenderContext,
  deps: ReconcileDeps,
): Promise<string | undefined> {
  const ref = conn.passwordRef;
  if (!ref) return undefined;
  const namespace = fd.metadata.namespace;
  const generated = ref.name === childNames(fd).credentials;
  let secret: KubeObject | undefined = ctx.existingCredentials;
  if (!generated) {
    try {
      secret = await deps.client.get({
        apiVersion: "v1",
        kind: "Secret",
        namespace,
        name: ref.name,
      });
    } catch (err) {
      const msg = `reading Secret ${namespace}/${ref.name}: ${errorChain(err)}`;
      throw new PasswordError(R.ApplyFailed, msg, { cause: err });
    }
  }
  const value = secret?.data?.[ref.key];
  if (typeof value !== "string") {
    const field = generated ? "" : "spec.redis.queue.external.passwordSecretRef: ";
    const problem = secret ? `has no key "${ref.key}"` : "not found";
    throw new PasswordError(R.SecretMissing, `${field}Secret ${namespace}/${ref.name} ${problem}`);
  }
  return fromBase64(value);
}

function condition(
  status: ObservedCondition["status"],
  reason: string,
  message: string,
): ObservedCondition {
  return { type: T.QueuesObserved, status, reason, message };
}

/** The last read per FrappeDeployment (manager-wide), until it is stale or the spec changes. */
export class RecentQueueReads {
  readonly #byKey = new Map<string, Entry & { uid?: string; generation?: number }>();

  last(fd: FrappeDeployment): Entry | undefined {
    const entry = this.#byKey.get(keyOf(fd));
    const same = entry?.uid === fd.metadata.uid && entry?.generation === fd.metadata.generation;
    return same ? entry : undefined;
  }

  remember(fd: FrappeDeployment, entry: Entry): void {
    const { uid, generation } = fd.metadata;
    this.#byKey.set(keyOf(fd), { ...entry, uid, generation });
  }

  /** The FrappeDeployment is gone: drop its entry. */
  forget(key: string): void {
    this.#byKey.delete(key);
  }
}

interface Entry {
  observation: QueueObservation;
  /** Clock time (ms) until which the observation is reused instead of read again. */
  freshUntil: number;
}

const keyOf = (fd: FrappeDeployment) => `${fd.metadata.namespace}/${fd.metadata.name}`;
