/**
 * A small Redis client on Deno's own sockets: RESP2 over TCP or TLS, AUTH
 * (password or ACL user), SELECT, single commands, pipelines and MULTI/EXEC,
 * one connection, no reconnects, no offline queue, optional timeouts for
 * connecting and for each reply. Used by the operator (queue depth in
 * status), `frappe-op status --redis-depth` and the load test. It reads no environment
 * (ioredis' `debug` enumerated all of it, which the binary's --allow-env
 * list forbids) and needs only --allow-net.
 *
 * Replies come back in the order the commands were written, so concurrent
 * callers may share a client: each write (a command, a pipeline, a whole
 * MULTI..EXEC) goes out as one buffer, in call order.
 */

import {
  encodeCommands,
  type RawReply,
  type Reply,
  type RespArg,
  RespParser,
  RespReplyError,
  toText,
} from "./resp_codec.ts";

export {
  type RawReply,
  type Reply,
  type RespArg,
  RespProtocolError,
  RespReplyError,
} from "./resp_codec.ts";

export interface RespConnectOptions {
  hostname: string;
  port: number;
  /** TLS (a `rediss://` URL). */
  tls?: boolean;
  /** PEM CA certificates to trust for TLS, besides the default roots. */
  caCerts?: string[];
  /** ACL user; AUTH sends only the password when unset. */
  username?: string;
  password?: string;
  /** SELECTed after AUTH when not 0. */
  db?: number;
  /** For connecting, the TLS handshake, AUTH, SELECT and the first PING together. */
  connectTimeoutMs?: number;
  /**
   * Per write (a command, a pipeline, a transaction) after connecting: a reply
   * later than this fails the connection (ETIMEDOUT). Unset: wait forever.
   */
  commandTimeoutMs?: number;
}

/** The connection failed or ended; `code` is Node-style (ECONNREFUSED, ETIMEDOUT, ...). */
export class RespConnectionError extends Error {
  override name = "RedisConnectionError";
  constructor(readonly code: string, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Deno's socket errors in the words the rest of the code (and people) know. */
function connectionError(err: unknown, action: string, where: string): RespConnectionError {
  if (err instanceof RespConnectionError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const code = err instanceof Deno.errors.ConnectionRefused
    ? "ECONNREFUSED"
    : err instanceof Deno.errors.ConnectionReset
    ? "ECONNRESET"
    : err instanceof Deno.errors.TimedOut
    ? "ETIMEDOUT"
    : /lookup|resolve|not known/i.test(msg)
    ? "ENOTFOUND"
    : err instanceof Deno.errors.InvalidData || /tls|certificate|handshake/i.test(msg)
    ? "ETLS"
    : "ECONNECT";
  return new RespConnectionError(code, `${action} ${code} ${where}: ${msg}`, { cause: err });
}

interface Waiter {
  resolve: (r: RawReply) => void;
  reject: (e: unknown) => void;
}

export class RespClient {
  private readonly parser = new RespParser();
  private readonly waiting: Waiter[] = [];
  private writing: Promise<void> = Promise.resolve();
  private failure?: RespConnectionError;
  private readonly reading: Promise<void>;

  private constructor(
    private readonly conn: Deno.Conn,
    private readonly where: string,
    private readonly commandTimeoutMs?: number,
  ) {
    this.reading = this.readLoop();
  }

  /** Connects, authenticates, selects the db and PINGs, all within the connect timeout. */
  static async connect(o: RespConnectOptions): Promise<RespClient> {
    const ms = o.connectTimeoutMs ?? 5000;
    const where = `${o.hostname}:${o.port}`;
    const ctl = new AbortController();
    let client: RespClient | undefined;
    const timer = setTimeout(() => {
      ctl.abort();
      client?.disconnect();
    }, ms);
    try {
      client = new RespClient(await open(o, ctl.signal), where, o.commandTimeoutMs);
      await client.hello(o);
      return client;
    } catch (err) {
      await client?.close();
      if (err instanceof RespReplyError) throw err;
      if (ctl.signal.aborted) {
        throw new RespConnectionError("ETIMEDOUT", `connect ETIMEDOUT ${where} (${ms} ms)`, {
          cause: err,
        });
      }
      throw connectionError(err, "connect", where);
    } finally {
      clearTimeout(timer);
    }
  }

  private async hello(o: RespConnectOptions): Promise<void> {
    const commands: RespArg[][] = [];
    if (o.password !== undefined) {
      commands.push(o.username ? ["AUTH", o.username, o.password] : ["AUTH", o.password]);
    }
    if (o.db) commands.push(["SELECT", o.db]);
    commands.push(["PING"]);
    await this.pipeline(commands);
  }

  /** One command; bulk strings as text; an error reply is thrown. */
  async call(...args: RespArg[]): Promise<Reply> {
    return toText((await this.send([args]))[0]);
  }

  /** One command; bulk strings as bytes (e.g. HGETALL of a job hash, whose `data` is zlib). */
  async callBytes(...args: RespArg[]): Promise<RawReply> {
    const [reply] = await this.send([args]);
    if (reply instanceof RespReplyError) throw reply;
    return reply;
  }

  /** Commands written at once, replies in order; the first error reply is thrown. */
  async pipeline(commands: RespArg[][]): Promise<Reply[]> {
    const replies = await this.send(commands);
    return replies.map(toText);
  }

  /**
   * MULTI, the commands, EXEC, written at once: all of them take effect or
   * none. Returns EXEC's replies; throws the first error (a command refused
   * while queueing, EXEC aborting, or a command failing inside EXEC).
   */
  async transaction(commands: RespArg[][]): Promise<Reply[]> {
    const replies = await this.send([["MULTI"], ...commands, ["EXEC"]]);
    const queued = replies.slice(0, -1).find((r) => r instanceof RespReplyError);
    if (queued) throw queued;
    const exec = replies[replies.length - 1];
    if (exec === null) throw new RespReplyError("EXECABORT transaction aborted by Redis");
    if (!Array.isArray(exec)) throw execError(exec);
    return exec.map(toText);
  }

  /** Raw replies of commands written as one buffer; rejects only when the connection fails. */
  send(commands: RespArg[][]): Promise<RawReply[]> {
    if (this.failure) return Promise.reject(this.failure);
    const replies = commands.map(() =>
      new Promise<RawReply>((resolve, reject) => this.waiting.push({ resolve, reject }))
    );
    const bytes = encodeCommands(commands);
    this.writing = this.writing.then(() => this.writeAll(bytes)).catch((err) =>
      this.fail(connectionError(err, "write", this.where))
    );
    return this.withTimeout(Promise.all(replies));
  }

  /** Replies not all back in time: the connection fails, so later replies can not misalign. */
  private withTimeout<T>(replies: Promise<T>): Promise<T> {
    const ms = this.commandTimeoutMs;
    if (ms === undefined) return replies;
    const timer = setTimeout(
      () =>
        this.fail(
          new RespConnectionError("ETIMEDOUT", `command ETIMEDOUT ${this.where} (${ms} ms)`),
        ),
      ms,
    );
    return replies.finally(() => clearTimeout(timer));
  }

  private async writeAll(bytes: Uint8Array): Promise<void> {
    if (this.failure) return;
    for (let at = 0; at < bytes.length;) at += await this.conn.write(bytes.subarray(at));
  }

  private async readLoop(): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    try {
      while (!this.failure) {
        const n = await this.conn.read(buf);
        if (n === null) throw new RespConnectionError("ECLOSED", "Connection closed by Redis");
        this.parser.push(buf.subarray(0, n));
        for (let r = this.parser.next(); r !== undefined; r = this.parser.next()) {
          const waiter = this.waiting.shift();
          if (!waiter) throw new RespConnectionError("EPROTO", "unexpected reply from Redis");
          waiter.resolve(r);
        }
      }
    } catch (err) {
      this.fail(
        err instanceof RespConnectionError ? err : connectionError(err, "read", this.where),
      );
    }
  }

  private fail(err: RespConnectionError): void {
    if (!this.failure) {
      this.failure = err;
      closeQuietly(this.conn);
    }
    for (const w of this.waiting.splice(0)) w.reject(this.failure);
  }

  /** Closes the connection; commands still waiting fail. Resolves when the reader stopped. */
  async close(): Promise<void> {
    this.fail(new RespConnectionError("ECLOSED", "Connection is closed"));
    await this.reading;
  }

  /** close() without waiting (the shape ioredis callers used). */
  disconnect(): void {
    void this.close();
  }

  get closed(): boolean {
    return this.failure !== undefined;
  }

  // Typed shorthands for the commands the load test and its tests use.
  async type(key: string): Promise<string> {
    return await this.call("TYPE", key) as string;
  }
  async llen(key: string): Promise<number> {
    return await this.call("LLEN", key) as number;
  }
  async zcard(key: string): Promise<number> {
    return await this.call("ZCARD", key) as number;
  }
  async hmget(key: string, ...fields: string[]): Promise<(string | null)[]> {
    return await this.call("HMGET", key, ...fields) as (string | null)[];
  }
  /** A hash with its values as bytes (binary-safe: RQ's `data` field). */
  async hgetallBytes(key: string): Promise<Map<string, Uint8Array>> {
    const flat = await this.callBytes("HGETALL", key) as Uint8Array[];
    const out = new Map<string, Uint8Array>();
    const text = new TextDecoder();
    for (let i = 0; i + 1 < flat.length; i += 2) out.set(text.decode(flat[i]), flat[i + 1]);
    return out;
  }
  /** Redis' clock in ms since the epoch (TIME). */
  async timeMs(): Promise<number> {
    const [sec, usec] = await this.call("TIME") as string[];
    return Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
  }
}

function execError(reply: RawReply): Error {
  return reply instanceof RespReplyError
    ? reply
    : new RespReplyError(`unexpected EXEC reply ${JSON.stringify(toText(reply))}`);
}

/** TCP, then TLS on top when asked; the signal (the connect timeout) closes it half-way. */
async function open(o: RespConnectOptions, signal: AbortSignal): Promise<Deno.Conn> {
  const tcp = await Deno.connect({ hostname: o.hostname, port: o.port, signal });
  if (!o.tls) return tcp;
  const conn = await Deno.startTls(tcp, { hostname: o.hostname, caCerts: o.caCerts })
    .catch((err) => {
      closeQuietly(tcp);
      throw err;
    });
  const onAbort = () => conn.close();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    await conn.handshake();
    return conn;
  } catch (err) {
    closeQuietly(conn);
    throw err;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch { /* already closed */ }
}
