/**
 * Python's `repr()` for the values a Frappe job's kwargs hold, used to build
 * the job's `description` exactly as RQ's `get_call_string` does
 * (rq/utils.py: `func(k=repr(v), ...)`, the `k=v` strings sorted, each repr
 * cut to 75 characters plus `...`).
 *
 * Strings follow CPython's quoting rules; every code point >= U+00A0 is
 * treated as printable (CPython also escapes a few rare non-printable ones,
 * such as U+2028: a description only, never parsed back).
 */

import type { PyValue } from "./pickle.ts";

/** RQ's `Job.get_call_string` uses max_length=75. */
export const RQ_DESCRIPTION_ARG_MAX = 75;

function escapeChar(ch: string, quote: string): string {
  const code = ch.codePointAt(0)!;
  if (ch === "\\") return "\\\\";
  if (ch === quote) return `\\${quote}`;
  if (ch === "\n") return "\\n";
  if (ch === "\r") return "\\r";
  if (ch === "\t") return "\\t";
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) {
    return `\\x${code.toString(16).padStart(2, "0")}`;
  }
  return ch;
}

export function reprStr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = "";
  for (const ch of s) out += escapeChar(ch, quote);
  return `${quote}${out}${quote}`;
}

export function pyRepr(value: PyValue): string {
  if (value === null) return "None";
  switch (typeof value) {
    case "string":
      return reprStr(value);
    case "boolean":
      return value ? "True" : "False";
    case "bigint":
      return String(value);
    case "number":
      return Number.isInteger(value) ? String(value) : pyFloat(value);
  }
  if (Array.isArray(value)) {
    if (value.length === 1) return `(${pyRepr(value[0])},)`;
    return `(${value.map(pyRepr).join(", ")})`;
  }
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  return `{${entries.map(([k, v]) => `${reprStr(k)}: ${pyRepr(v)}`).join(", ")}}`;
}

/** Python's float repr: shortest round-trip digits, like JS, with Python's spellings. */
function pyFloat(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  const s = String(n);
  return s.includes("e") ? s.replace(/e([+-])(\d)$/, "e$10$2") : s;
}

/** Counts code points, as Python's len() and slicing do. */
function truncate(s: string, max: number): string {
  const points = [...s];
  return points.length > max ? points.slice(0, max).join("") + "..." : s;
}

/** RQ's `get_call_string(func_name, (), kwargs, max_length=75)`. */
export function callString(funcName: string, kwargs: Record<string, PyValue>): string {
  const args = Object.entries(kwargs)
    .map(([k, v]) => `${k}=${truncate(pyRepr(v), RQ_DESCRIPTION_ARG_MAX)}`)
    .sort(comparePython);
  return `${funcName}(${args.join(", ")})`;
}

/** Python sorts str by code point; JS's `<` compares UTF-16 units (differs only past U+FFFF). */
function comparePython(a: string, b: string): number {
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(j)!;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}
