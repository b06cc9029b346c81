/**
 * Connecting to a bench's queue Redis so that failures surface at once and
 * each kind gets its own error: no retry loop, no offline queue, a short
 * connect timeout, and a PING right after connecting so a wrong password is
 * reported before anything is written.
 */

import { LoadtestError } from "./errors.ts";
import {
  RespClient,
  RespConnectionError,
  type RespConnectOptions,
  RespProtocolError,
  RespReplyError,
} from "./resp.ts";

/** The client the load test, `status --redis-depth` and the tests use. */
export type Redis = RespClient;

export interface RedisTarget {
  /** `redis://` or `rediss://` (TLS) URL; user/password in it are honoured. */
  url: string;
  /** Overrides the URL's password (e.g. read from the credentials Secret). */
  password?: string;
  connectTimeoutMs?: number;
  /** PEM CA certificates to trust for a rediss:// URL, besides the default roots. */
  caCerts?: string[];
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

export function redisOptions(target: RedisTarget): RespConnectOptions {
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
  if (db && !/^\d+$/.test(db)) {
    throw new LoadtestError("usage", `the Redis URL's path must be a db number, got "/${db}"`);
  }
  return {
    hostname: u.hostname.replace(/^\[|\]$/g, ""),
    port: Number(u.port || 6379),
    username: decodeURIComponent(u.username) || undefined,
    password: target.password ?? (decodeURIComponent(u.password) || undefined),
    db: db ? Number(db) : 0,
    tls: u.protocol === "rediss:",
    caCerts: target.caCerts,
    connectTimeoutMs: target.connectTimeoutMs ?? 5000,
  };
}

/** Errors from Redis itself (replies, the connection), as opposed to bugs. */
export function isRedisError(err: unknown): boolean {
  return err instanceof RespReplyError || err instanceof RespConnectionError ||
    err instanceof RespProtocolError;
}

/** Maps a Redis reply / socket error to a LoadtestError with a one-line message. */
export function classifyRedisError(
  err: unknown,
  target: RedisTarget,
  tcpReachable = false,
): LoadtestError {
  if (err instanceof LoadtestError) return err;
  const where = redactUrl(target.url);
  const msg = err instanceof Error ? err.message : String(err);
  // Redis >= 6 / older: a password sent to a server that has none.
  if (/called without any password configured|no password is set/i.test(msg)) {
    return new LoadtestError(
      "redisAuth",
      `Redis at ${where} has no password, but one was given (URL, REDIS_PASSWORD or the ` +
        `FrappeDeployment's Secret): ${msg}`,
      { cause: err },
    );
  }
  if (/NOAUTH|WRONGPASS|invalid password|invalid username-password/i.test(msg)) {
    return new LoadtestError("redisAuth", `Redis at ${where} rejected the credentials: ${msg}`, {
      cause: err,
    });
  }
  if (/WRONGTYPE/.test(msg)) {
    return new LoadtestError("redisWrongType", `Redis at ${where}: ${msg}`, { cause: err });
  }
  if (/DB index is out of range/i.test(msg)) {
    return new LoadtestError(
      "usage",
      `Redis at ${where} has no such database (the URL's /<db>): ${msg}`,
      { cause: err },
    );
  }
  if (err instanceof RespReplyError) {
    // The server answered in RESP: whatever went wrong, it is not a TLS mismatch.
    return new LoadtestError("redisUnreachable", `Redis at ${where} refused: ${msg}`, {
      cause: err,
    });
  }
  if (tcpReachable) {
    const tls = target.url.startsWith("rediss:");
    const hint = !tls
      ? "the server seems to expect TLS: use a rediss:// URL"
      : /certificate|issuer/i.test(msg)
      ? "the server speaks TLS but its certificate is not trusted"
      : "the URL asks for TLS (rediss://) but the server does not seem to speak TLS";
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
  const opts = redisOptions(target);
  try {
    return await RespClient.connect(opts);
  } catch (err) {
    const classified = classifyRedisError(err, target);
    if (classified.kind !== "redisUnreachable") throw classified;
    throw classifyRedisError(err, target, await tcpReachable(opts.hostname, opts.port));
  }
}

/** Whether a plain TCP connection to host:port opens within the timeout. */
export async function tcpReachable(
  hostname: string,
  port: number,
  timeoutMs = 2000,
): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname, port, signal: AbortSignal.timeout(timeoutMs) });
    conn.close();
    return true;
  } catch {
    return false;
  }
}
