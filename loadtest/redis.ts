/**
 * Connecting to a bench's queue Redis so that failures surface at once and
 * each kind gets its own error: no retry loop, no offline queue, a short
 * connect timeout, and a PING right after connecting so a wrong password is
 * reported before anything is written.
 */

import { Redis, type RedisOptions } from "ioredis";
import { connect } from "node:net";
import { LoadtestError } from "./errors.ts";

export interface RedisTarget {
  /** `redis://` or `rediss://` (TLS) URL; user/password in it are honoured. */
  url: string;
  /** Overrides the URL's password (e.g. read from the credentials Secret). */
  password?: string;
  connectTimeoutMs?: number;
}

/** A URL with its password replaced by `***`, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "<unparseable redis URL>";
  }
}

export function redisOptions(target: RedisTarget): RedisOptions {
  let u: URL;
  try {
    u = new URL(target.url);
  } catch (cause) {
    throw new LoadtestError("usage", `invalid Redis URL ${redactUrl(target.url)}`, { cause });
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    throw new LoadtestError("usage", `Redis URL must start with redis:// or rediss://`);
  }
  const db = u.pathname.replace(/^\//, "");
  return {
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port: Number(u.port || 6379),
    username: decodeURIComponent(u.username) || undefined,
    password: target.password ?? (decodeURIComponent(u.password) || undefined),
    db: db ? Number(db) : 0,
    tls: u.protocol === "rediss:" ? {} : undefined,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    connectTimeout: target.connectTimeoutMs ?? 5000,
    enableReadyCheck: false,
  };
}

/** Maps an ioredis / socket error to a LoadtestError with a one-line message. */
export function classifyRedisError(
  err: unknown,
  target: RedisTarget,
  tcpReachable = false,
): LoadtestError {
  if (err instanceof LoadtestError) return err;
  const where = redactUrl(target.url);
  const msg = err instanceof Error ? err.message : String(err);
  if (/NOAUTH|WRONGPASS|invalid password|invalid username-password/i.test(msg)) {
    return new LoadtestError("redisAuth", `Redis at ${where} rejected the credentials: ${msg}`, {
      cause: err,
    });
  }
  if (/WRONGTYPE/.test(msg)) {
    return new LoadtestError("redisWrongType", `Redis at ${where}: ${msg}`, { cause: err });
  }
  if (tcpReachable) {
    const tls = target.url.startsWith("rediss:");
    const hint = tls
      ? "the URL asks for TLS (rediss://) but the server does not seem to speak TLS"
      : "the server seems to expect TLS: use a rediss:// URL";
    return new LoadtestError(
      "redisTls",
      `TLS mismatch with ${where}: the port accepts TCP but the Redis handshake failed (${msg}); ${hint}`,
      { cause: err },
    );
  }
  return new LoadtestError("redisUnreachable", `cannot reach Redis at ${where}: ${msg}`, {
    cause: err,
  });
}

/** Connects and PINGs; throws a classified LoadtestError. */
export async function connectRedis(target: RedisTarget): Promise<Redis> {
  const redis = new Redis(redisOptions(target));
  // ioredis reports the socket's own error (ECONNREFUSED, TLS alerts) only as
  // an "error" event and then rejects with a generic "Connection is closed.":
  // keep the first one, which says what really happened.
  let first: unknown;
  redis.on("error", (err) => {
    first ??= err;
  });
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (err) {
    redis.disconnect();
    const generic = err instanceof Error && /Connection is closed/.test(err.message);
    // A rejected AUTH is also only an "error" event; the PING then says NOAUTH.
    const authFirst = first instanceof Error && /WRONGPASS|invalid password/i.test(first.message);
    const cause = first && (generic || authFirst) ? first : err;
    const classified = classifyRedisError(cause, target);
    if (classified.kind !== "redisUnreachable") throw classified;
    const opts = redisOptions(target);
    throw classifyRedisError(cause, target, await tcpReachable(opts.host!, opts.port!));
  }
}

/** Whether a plain TCP connection to host:port opens within the timeout. */
export function tcpReachable(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
