/**
 * A minimal Python pickle encoder for the value shapes an RQ job's `data`
 * holds: `(func_name, None, (), kwargs)` with kwargs a dict of str keys and
 * str / int / bool / None / dict values.
 *
 * RQ's DefaultSerializer is `pickle.dumps(..., protocol=pickle.HIGHEST_PROTOCOL)`
 * (rq/serializers.py, 1.15.1 and 2.6.1), which is protocol 5 on Python >= 3.8.
 * For these shapes protocol 5 uses only protocol-4 opcodes, so we write the
 * PROTO 5 header, one FRAME, and no memo (memoizing is optional for a
 * pickler; `pickle.loads` reads the result identically).
 *
 * JS mapping: string -> str, integral number or bigint -> int, other number ->
 * float, boolean -> bool, null -> None, array -> tuple, Map or plain object -> dict (insertion order).
 */

export type PyValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | PyValue[]
  | Map<string, PyValue>
  | { [key: string]: PyValue };

const PROTOCOL = 5;
const OP = {
  PROTO: 0x80,
  FRAME: 0x95,
  STOP: 0x2e, // .
  NONE: 0x4e, // N
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  BINFLOAT: 0x47, // G
  BININT: 0x4a, // J
  BININT1: 0x4b, // K
  BININT2: 0x4d, // M
  LONG1: 0x8a,
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE: 0x58, // X
  EMPTY_TUPLE: 0x29, // )
  TUPLE: 0x74, // t
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  MARK: 0x28, // (
  EMPTY_DICT: 0x7d, // }
  SETITEM: 0x73, // s
  SETITEMS: 0x75, // u
} as const;
/** Python's pickler batches SETITEMS by this many pairs. */
const BATCH = 1000;

/** A growable byte buffer (one allocation per doubling, not per opcode). */
class Writer {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  le(value: number, width: 2 | 4 | 8): void {
    this.reserve(width);
    if (width === 2) this.view.setUint16(this.length, value, true);
    else if (width === 4) this.view.setUint32(this.length, value, true);
    else this.view.setBigUint64(this.length, BigInt(value), true);
    this.length += width;
  }
  float(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, value, false);
    this.length += 8;
  }
  concat(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

const encoder = new TextEncoder();

function writeStr(w: Writer, s: string): void {
  const utf8 = encoder.encode(s);
  if (utf8.length < 256) {
    w.byte(OP.SHORT_BINUNICODE);
    w.byte(utf8.length);
  } else {
    w.byte(OP.BINUNICODE);
    w.le(utf8.length, 4);
  }
  w.bytes(utf8);
}

/** Two's complement little-endian bytes, as Python's `encode_long`. */
function longBytes(n: bigint): Uint8Array {
  if (n === 0n) return new Uint8Array();
  const out: number[] = [];
  let v = n;
  while (true) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
    const last = out[out.length - 1];
    if ((v === 0n && (last & 0x80) === 0) || (v === -1n && (last & 0x80) !== 0)) break;
  }
  return Uint8Array.from(out);
}

function writeInt(w: Writer, value: number | bigint): void {
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    return writeFloat(w, value);
  }
  const n = BigInt(value);
  if (n >= 0n && n < 256n) {
    w.byte(OP.BININT1);
    w.byte(Number(n));
  } else if (n >= 0n && n < 65536n) {
    w.byte(OP.BININT2);
    w.le(Number(n), 2);
  } else if (n >= -(2n ** 31n) && n < 2n ** 31n) {
    w.byte(OP.BININT);
    w.le(Number(BigInt.asUintN(32, n)), 4);
  } else {
    const b = longBytes(n);
    if (b.length > 255) throw new RangeError("pickle: integer too large");
    w.byte(OP.LONG1);
    w.byte(b.length);
    w.bytes(b);
  }
}

/** BINFLOAT: an IEEE-754 double, big-endian. */
function writeFloat(w: Writer, value: number): void {
  w.byte(OP.BINFLOAT);
  w.float(value);
}

function writeTuple(w: Writer, items: PyValue[]): void {
  if (items.length === 0) return w.byte(OP.EMPTY_TUPLE);
  const small = [OP.TUPLE1, OP.TUPLE2, OP.TUPLE3][items.length - 1];
  if (small === undefined) w.byte(OP.MARK);
  for (const item of items) writeValue(w, item);
  w.byte(small ?? OP.TUPLE);
}

function writeDict(w: Writer, entries: [string, PyValue][]): void {
  w.byte(OP.EMPTY_DICT);
  for (let i = 0; i < entries.length; i += BATCH) {
    const batch = entries.slice(i, i + BATCH);
    if (batch.length > 1) w.byte(OP.MARK);
    for (const [k, v] of batch) {
      writeStr(w, k);
      writeValue(w, v);
    }
    w.byte(batch.length > 1 ? OP.SETITEMS : OP.SETITEM);
  }
}

function writeValue(w: Writer, value: PyValue): void {
  if (value === null) return w.byte(OP.NONE);
  switch (typeof value) {
    case "string":
      return writeStr(w, value);
    case "boolean":
      return w.byte(value ? OP.NEWTRUE : OP.NEWFALSE);
    case "number":
    case "bigint":
      return writeInt(w, value);
  }
  if (Array.isArray(value)) return writeTuple(w, value);
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  writeDict(w, entries);
}

/** `pickle.dumps(value, protocol=5)` for the supported shapes (see module doc). */
export function pickleDumps(value: PyValue): Uint8Array {
  const body = new Writer();
  writeValue(body, value);
  body.byte(OP.STOP);
  const out = new Writer();
  out.byte(OP.PROTO);
  out.byte(PROTOCOL);
  // Python writes a FRAME header before the frame's contents when it has >= 4 bytes.
  if (body.length >= 4) {
    out.byte(OP.FRAME);
    out.le(body.length, 8);
  }
  out.bytes(body.concat());
  return out.concat();
}
