/**
 * The RESP2 wire format (https://redis.io/docs/latest/develop/reference/protocol-spec/):
 * commands out as arrays of bulk strings, replies in through an incremental
 * parser fed with whatever the socket delivers. Binary safe: bulk strings
 * are bytes both ways; turning them into text is the caller's choice.
 */

/** One command argument; strings go out as UTF-8, numbers in decimal. */
export type RespArg = string | number | Uint8Array;

/** A reply as read: simple strings as text, bulk strings as bytes, errors as values. */
export type RawReply = string | number | Uint8Array | null | RespReplyError | RawReply[];

/** A reply with bulk strings decoded as UTF-8 (errors are thrown before this shape). */
export type Reply = string | number | null | Reply[];

/** An error reply of the server (`-WRONGTYPE ...`, `-NOAUTH ...`). */
export class RespReplyError extends Error {
  override name = "ReplyError";
}

/** The bytes from the server are not RESP2 (e.g. a TLS record on a plain connection). */
export class RespProtocolError extends Error {
  override name = "RespProtocolError";
  constructor(message: string, readonly firstByte?: number) {
    super(message);
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CR = 13;
const LF = 10;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Commands as one buffer: `*<n>\r\n` then `$<len>\r\n<bytes>\r\n` per argument. */
export function encodeCommands(commands: readonly (readonly RespArg[])[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const crlf = encoder.encode("\r\n");
  for (const args of commands) {
    parts.push(encoder.encode(`*${args.length}\r\n`));
    for (const arg of args) {
      const bytes = arg instanceof Uint8Array ? arg : encoder.encode(String(arg));
      parts.push(encoder.encode(`$${bytes.length}\r\n`), bytes, crlf);
    }
  }
  return concat(parts);
}

/** Bulk strings -> UTF-8 text, recursively; an error value is thrown. */
export function toText(reply: RawReply): Reply {
  if (reply instanceof RespReplyError) throw reply;
  if (reply instanceof Uint8Array) return decoder.decode(reply);
  if (Array.isArray(reply)) return reply.map(toText);
  return reply;
}

/** Marks "the buffer ends inside this reply": parse again when more bytes arrive. */
const INCOMPLETE = Symbol("incomplete");
type Parsed = { value: RawReply; end: number } | typeof INCOMPLETE;

/** Incremental parser: push() what the socket read, then next() until undefined. */
export class RespParser {
  private buf = new Uint8Array(0);
  private pos = 0;

  push(chunk: Uint8Array): void {
    const rest = this.buf.subarray(this.pos);
    const merged = new Uint8Array(rest.length + chunk.length);
    merged.set(rest);
    merged.set(chunk, rest.length);
    this.buf = merged;
    this.pos = 0;
  }

  /** The next whole reply, or undefined when the buffer holds only part of one. */
  next(): RawReply | undefined {
    const parsed = this.parse(this.pos);
    if (parsed === INCOMPLETE) return undefined;
    this.pos = parsed.end;
    return parsed.value;
  }

  /** Bytes received but not yet parsed into a reply. */
  get pending(): number {
    return this.buf.length - this.pos;
  }

  private line(start: number): { text: string; end: number } | typeof INCOMPLETE {
    for (let i = start; i + 1 < this.buf.length; i++) {
      if (this.buf[i] === CR && this.buf[i + 1] === LF) {
        return { text: decoder.decode(this.buf.subarray(start, i)), end: i + 2 };
      }
    }
    return INCOMPLETE;
  }

  private length(text: string): number {
    const n = Number(text);
    if (!Number.isInteger(n) || n < -1) throw new RespProtocolError(`bad RESP length "${text}"`);
    return n;
  }

  private parse(start: number): Parsed {
    if (start >= this.buf.length) return INCOMPLETE;
    const type = this.buf[start];
    const head = this.line(start + 1);
    if (head === INCOMPLETE) {
      if (!"+-:$*".includes(String.fromCharCode(type))) throw unexpected(type);
      return INCOMPLETE;
    }
    switch (String.fromCharCode(type)) {
      case "+":
        return { value: head.text, end: head.end };
      case "-":
        return { value: new RespReplyError(head.text), end: head.end };
      case ":":
        return { value: this.integer(head.text), end: head.end };
      case "$":
        return this.bulk(this.length(head.text), head.end);
      case "*":
        return this.array(this.length(head.text), head.end);
      default:
        throw unexpected(type);
    }
  }

  private integer(text: string): number {
    const n = Number(text);
    if (!/^-?\d+$/.test(text)) throw new RespProtocolError(`bad RESP integer "${text}"`);
    return n;
  }

  private bulk(len: number, at: number): Parsed {
    if (len === -1) return { value: null, end: at };
    if (at + len + 2 > this.buf.length) return INCOMPLETE;
    if (this.buf[at + len] !== CR || this.buf[at + len + 1] !== LF) {
      throw new RespProtocolError("bulk string not followed by CRLF");
    }
    return { value: this.buf.slice(at, at + len), end: at + len + 2 };
  }

  private array(count: number, at: number): Parsed {
    if (count === -1) return { value: null, end: at };
    const items: RawReply[] = [];
    let end = at;
    for (let i = 0; i < count; i++) {
      const item = this.parse(end);
      if (item === INCOMPLETE) return INCOMPLETE;
      items.push(item.value);
      end = item.end;
    }
    return { value: items, end };
  }
}

function unexpected(type: number): RespProtocolError {
  return new RespProtocolError(
    `not a Redis (RESP) reply: first byte 0x${type.toString(16).padStart(2, "0")}`,
    type,
  );
}
