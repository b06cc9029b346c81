/**
 * One read of a bench's queue Redis, as the queue observer
 * (queue_observer.ts) does it: connect with the target's address, TLS and
 * password, one pipeline (redis/queue_depth.ts), close. The result is the
 * per-worker depths and the QueuesObserved condition; a failure never throws:
 * the depths are left out and the condition says why (address and reason,
 * never a password).
 *
 * One short-lived connection per read: nothing to leak when a
 * FrappeDeployment goes or leadership moves, and a changed password or
 * address is used at once.
 */
import { ConditionReason as R, ConditionType as T } from "../apis/conditions.ts";
import { errorChain } from "../kube/errors.ts";
import type { KubeClient } from "../kube/client.ts";
import {
  classifyRedisError,
  connectRedis,
  isRedisError,
  RedisError,
  type RedisFailure,
} from "../redis/connect.ts";
import { type QueueDepth, readQueueDepths, type WorkerQueues } from "../redis/queue_depth.ts";
import { fromBase64 } from "./render/credentials.ts";
import type { ObservedCondition } from "./status.ts";

/** Budgets of one read: a dead or silent Redis costs an observer slot about 3 s at most. */
export const QUEUE_CONNECT_TIMEOUT_MS = 1500;
export const QUEUE_COMMAND_TIMEOUT_MS = 1000;

/** What to read for one bench, and where: computed by the reconcile (queue_depth.ts). */
export interface QueueTarget {
  /** `namespace/name`, the work-queue key to enqueue when the result changes. */
  key: string;
  uid: string;
  /** `redis[s]://host:port/db`, without a password. */
  url: string;
  /** The generated password (managed Redis); the reconcile already holds it. */
  password?: string;
  /** The user's Secret with the password (external Redis), read by the observer. */
  passwordSecret?: { namespace: string; name: string; key: string };
  benchId: string;
  workers: WorkerQueues[];
  /** Re-read interval while jobs wait or run. */
  busyIntervalMs: number;
  /** Some worker is autoscaled: a failure message adds that KEDA may not scale it either. */
  autoscaled: boolean;
}

export interface QueueObservation {
  /** Per worker type; absent when the queues were not read. */
  depths?: Map<string, QueueDepth>;
  /** Absent: nothing known yet (status keeps what it has). */
  condition?: ObservedCondition;
}

export interface ReadTimeouts {
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

export const DEFAULT_READ_TIMEOUTS: ReadTimeouts = {
  connectTimeoutMs: QUEUE_CONNECT_TIMEOUT_MS,
  commandTimeoutMs: QUEUE_COMMAND_TIMEOUT_MS,
};

const REASON: Record<RedisFailure, string> = {
  usage: R.RedisUnreachable,
  unreachable: R.RedisUnreachable,
  auth: R.RedisAuthFailed,
  tls: R.RedisTlsFailed,
  wrongType: R.QueueKeyWrongType,
};

/** A failure that is not Redis' own (the password Secret). */
export class PasswordError extends Error {
  constructor(readonly reason: string, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Reads the target's queues; `password` is what `targetPassword` resolved. */
export async function readQueues(
  target: QueueTarget,
  password: string | undefined,
  timeouts: ReadTimeouts,
): Promise<QueueObservation> {
  const { url } = target;
  try {
    const redis = await connectRedis({ url, password, ...timeouts });
    let depths: Map<string, QueueDepth>;
    try {
      depths = await readQueueDepths(redis, target.benchId, target.workers);
    } finally {
      await redis.close();
    }
    return {
      depths,
      condition: queuesCondition("True", R.QueuesRead, `queue depths read from ${url}`),
    };
  } catch (err) {
    return failedRead(target, err);
  }
}

/** The observation of a read that failed: no depths, the reason in QueuesObserved. */
export function failedRead(target: QueueTarget, err: unknown): QueueObservation {
  return { condition: failureCondition(target, err) };
}

function failureCondition(target: QueueTarget, err: unknown): ObservedCondition {
  if (err instanceof PasswordError) return queuesCondition("False", err.reason, err.message);
  if (!(err instanceof RedisError) && !isRedisError(err)) {
    return queuesCondition(
      "False",
      R.RedisUnreachable,
      `reading ${target.url}: ${errorChain(err)}`,
    );
  }
  const classified = classifyRedisError(err, { url: target.url });
  const hint = target.autoscaled
    ? " (KEDA reads the same Redis: autoscaled workers may not scale)"
    : "";
  return queuesCondition("False", REASON[classified.kind], classified.message + hint);
}

/** The password of an external Redis from the user's Secret (a direct read: not cached). */
export async function targetPassword(
  target: QueueTarget,
  client: KubeClient,
): Promise<string | undefined> {
  const ref = target.passwordSecret;
  if (!ref) return target.password;
  const { namespace, name, key } = ref;
  let secret;
  try {
    secret = await client.get({ apiVersion: "v1", kind: "Secret", namespace, name });
  } catch (err) {
    const msg = `reading Secret ${namespace}/${name}: ${errorChain(err)}`;
    throw new PasswordError(R.ApplyFailed, msg, { cause: err });
  }
  const value = secret?.data?.[key];
  if (typeof value !== "string") {
    const problem = secret ? `has no key "${key}"` : "not found";
    throw new PasswordError(
      R.SecretMissing,
      `spec.redis.queue.external.passwordSecretRef: Secret ${namespace}/${name} ${problem}`,
    );
  }
  return fromBase64(value);
}

export function queuesCondition(
  status: ObservedCondition["status"],
  reason: string,
  message: string,
): ObservedCondition {
  return { type: T.QueuesObserved, status, reason, message };
}

/** Whether two observations would write the same status (depths and condition). */
export function sameObservation(a: QueueObservation, b: QueueObservation): boolean {
  const text = (o: QueueObservation) =>
    JSON.stringify([
      [...(o.depths ?? new Map()).entries()].sort(([x], [y]) => x.localeCompare(y))
        .map(([type, d]) => [type, d.queueDepth, d.running]),
      o.condition && [o.condition.status, o.condition.reason, o.condition.message],
    ]);
  return text(a) === text(b);
}
