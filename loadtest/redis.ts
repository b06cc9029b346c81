/**
 * The load test's view of redis/connect.ts: the same client and messages,
 * with each kind of failure turned into a LoadtestError carrying its exit
 * code (docs/loadtest.md).
 */

import {
  classifyRedisError as classify,
  connectRedis as connect,
  type Redis,
  RedisError,
  type RedisFailure,
  redisOptions,
  type RedisTarget,
} from "../redis/connect.ts";
import { type ExitKind, LoadtestError } from "./errors.ts";

export { isRedisError, redactUrl, type Redis, type RedisTarget } from "../redis/connect.ts";

const EXIT_KIND: Record<RedisFailure, ExitKind> = {
  usage: "usage",
  auth: "redisAuth",
  wrongType: "redisWrongType",
  tls: "redisTls",
  unreachable: "redisUnreachable",
};

function asLoadtestError(err: RedisError): LoadtestError {
  return new LoadtestError(EXIT_KIND[err.kind], err.message, { cause: err.cause ?? err });
}

/** Maps a Redis reply / socket error to a LoadtestError with a one-line message. */
export function classifyRedisError(
  err: unknown,
  target: RedisTarget,
  tcpReachable = false,
): LoadtestError {
  if (err instanceof LoadtestError) return err;
  return asLoadtestError(classify(err, target, tcpReachable));
}

/** The URL's parts as the client reads them; a URL that could never connect is a usage error. */
export function parseRedisUrl(url: string): ReturnType<typeof redisOptions> {
  try {
    return redisOptions({ url });
  } catch (err) {
    if (err instanceof RedisError) throw asLoadtestError(err);
    throw err;
  }
}

/** Connects and PINGs; throws a classified LoadtestError. */
export async function connectRedis(target: RedisTarget): Promise<Redis> {
  try {
    return await connect(target);
  } catch (err) {
    if (err instanceof RedisError) throw asLoadtestError(err);
    throw err;
  }
}
