/**
 * Connecting to a bench's queue Redis so that failures surface at once and
 * each kind gets its own error: no retry loop, no offline queue, a short
 * connect timeout, and a PING right after connecting so a wrong password is
 * reported before anything is written. Shared by the operator (queue depth
 * in status), `frappe-op status --redis-depth` and the load test, which maps
 * the kinds to its exit codes (loadtest/redis.ts).
 */

import {
  RespClient,
  RespConnectionError,
  type RespConnectOptions,
  RespProtocolError,
  RespReplyError,
} from "./resp.ts";

export type Redis = RespClient;

export interface RedisTarget {
  /** `redis://` or `rediss://` (TLS) URL; user/password in it are honoured. */
  url: string;
  /** Overrides the URL's password (e.g. read from the credentials Secret). */
  password?: string;
  connectTimeoutMs?: number;
  /** Per reply after connecting; unset: no limit. */
  commandTimeoutMs?: number;
  /** PEM CA certificates to trust for a rediss:// URL, besides the default roots. */
  caCerts?: string[];
}

/** What went wrong, in the terms a person acts on. */
export type RedisFailure = "usage" | "auth" | "wrongType" | "tls" | "unreachable";

export class RedisError extends Error {
  override name = "RedisError";
  constructor(readonly kind: RedisFailure, message: string, options?: ErrorOptions) {
    super(message, options);
  }
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

/** The URL's user info, percent-decoded (`%40` is `@`). */
function userInfo(u: URL): { username?: string; password?: string } {
  try {
    return {
      username: decodeURIComponent(u.username) || undefined,
      password: decodeURIComponent(u.password) || undefined,
    };
  } catch (cause) {
    throw new RedisError(
      "usage",
      "the Redis URL's user or password is not valid percent-encoding (write % as %25)",
      { cause },
    );
  }
}

export function redisOptions(target: RedisTarget): RespConnectOptions {
  let u: URL;
  try {
    u = new URL(target.url);
  } catch (cause) {
    // Not echoed: an unparseable URL cannot be redacted and may hold a password.
    throw new RedisError(
      "usage",
      "invalid Redis URL: it must look like redis://[:password@]host[:port][/db] " +
        "(port 1-65535, special characters in the password percent-encoded)",
      { cause },
    );
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    throw new RedisError("usage", `Redis URL must start with redis:// or rediss://`);
  }
  const db = u.pathname.replace(/^\//, "");
  if (db && !/^\d+$/.test(db)) {
    throw new RedisError("usage", `the Redis URL's path must be a db number, got "/${db}"`);
  }
  const user = userInfo(u);
  return {
    hostname: u.hostname.replace(/^\[|\]$/g, ""),
    port: Number(u.port || 6379),
    username: user.username,
    password: target.password ?? user.password,
    db: db ? Number(db) : 0,
    tls: u.protocol === "rediss:",
    caCerts: target.caCerts,
    connectTimeoutMs: target.connectTimeoutMs ?? 5000,
    commandTimeoutMs: target.commandTimeoutMs,
  };
}

/** Errors from Redis itself (replies, the connection), as opposed to bugs. */
export function isRedisError(err: unknown): boolean {
  return err instanceof RespReplyError || err instanceof RespConnectionError ||
    err instanceof RespProtocolError;
}

/** Maps a Redis reply / socket error to a RedisError with a one-line message. */
export function classifyRedisError(
  err: unknown,
  target: RedisTarget,
  tcpReachable = false,
): RedisError {
  if (err instanceof RedisError) return err;
  const where = redactUrl(target.url);
  const msg = err instanceof Error ? err.message : String(err);
  const fail = (kind: RedisFailure, message: string) =>
    new RedisError(kind, message, { cause: err });
  // Redis >= 6 / older: a password sent to a server that has none.
  if (/called without any password configured|no password is set/i.test(msg)) {
    return fail(
      "auth",
      `Redis at ${where} has no password, but one was given (URL, REDIS_PASSWORD or the ` +
        `FrappeDeployment's Secret): ${msg}`,
    );
  }
  if (/^NOAUTH/i.test(msg)) {
    return fail(
      "auth",
      `Redis at ${where} needs a password and none was given (the URL, REDIS_PASSWORD, or an ` +
        `external Redis's passwordSecretRef): ${msg}`,
    );
  }
  if (/NOAUTH|WRONGPASS|invalid password|invalid username-password/i.test(msg)) {
    return fail("auth", `Redis at ${where} rejected the credentials: ${msg}`);
  }
  if (/WRONGTYPE/.test(msg)) return fail("wrongType", `Redis at ${where}: ${msg}`);
  if (/DB index is out of range/i.test(msg)) {
    return fail("usage", `Redis at ${where} has no such database (the URL's /<db>): ${msg}`);
  }
  if (err instanceof RespReplyError) {
    // The server answered in RESP: whatever went wrong, it is not a TLS mismatch.
    return fail("unreachable", `Redis at ${where} refused: ${msg}`);
  }
  const first = protocolError(err)?.firstByte;
  if (first !== undefined && !TLS_RECORD_TYPES.has(first)) {
    const text = first >= 0x20 && first < 0x7f
      ? ` ('${String.fromCharCode(first)}', e.g. HTTP)`
      : "";
    return fail(
      "unreachable",
      `${where} answers, but not as Redis: its first byte is 0x${first.toString(16)}${text}, ` +
        "not a RESP reply nor a TLS record; check the host and port",
    );
  }
  // A TLS server answers plaintext at once (an alert, or it hangs up): silence to redis:// is
  // something else. (A plain Redis does stay silent on a TLS hello: rediss:// keeps the hint.)
  const plain = target.url.startsWith("redis:");
  if (plain && tcpReachable && err instanceof RespConnectionError && err.code === "ETIMEDOUT") {
    return fail(
      "unreachable",
      `${where} accepts TCP connections but answered nothing (${msg}): not a Redis, or one too ` +
        "busy to reply; check the host and port",
    );
  }
  if (tcpReachable) {
    const tls = target.url.startsWith("rediss:");
    const hint = !tls
      ? "the server seems to expect TLS: use a rediss:// URL"
      : /certificate|issuer/i.test(msg)
      ? "the server speaks TLS but its certificate is not trusted"
      : "the URL asks for TLS (rediss://) but the server does not seem to speak TLS";
    return fail(
      "tls",
      `TLS mismatch with ${where}: the port accepts TCP but the Redis handshake failed (${msg}); ${hint}`,
    );
  }
  return fail("unreachable", `cannot reach Redis at ${where}: ${msg}`);
}

/** A TLS server answers plaintext with an alert (21) or a handshake (22) record. */
const TLS_RECORD_TYPES = new Set([0x15, 0x16]);

function protocolError(err: unknown): RespProtocolError | undefined {
  if (err instanceof RespProtocolError) return err;
  if (err instanceof RespConnectionError && err.cause instanceof RespProtocolError) {
    return err.cause;
  }
  return undefined;
}

/**
 * Connects and PINGs; throws a classified RedisError. When the connection
 * fails, a plain TCP probe (within the connect timeout, at most 2 s) tells a
 * TLS mismatch from a Redis that is not there.
 */
export async function connectRedis(target: RedisTarget): Promise<Redis> {
  const opts = redisOptions(target);
  try {
    return await RespClient.connect(opts);
  } catch (err) {
    const classified = classifyRedisError(err, target);
    if (classified.kind !== "unreachable" || err instanceof RespReplyError) throw classified;
    const probeMs = Math.min(opts.connectTimeoutMs ?? 2000, 2000);
    throw classifyRedisError(err, target, await tcpReachable(opts.hostname, opts.port, probeMs));
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
