/**
 * A small flag parser shared by the cli/ commands: `--name value`,
 * `--name=value`, `--flag`, `--no-flag`; anything else is positional.
 * Unknown flags are an error, so a typo never silently does nothing.
 */

export interface FlagSpec {
  /** Flags that take a value. */
  string?: string[];
  /** Flags that are on/off. */
  boolean?: string[];
}

export interface ParsedFlags {
  values: Map<string, string>;
  booleans: Map<string, boolean>;
  positional: string[];
}

export class FlagError extends Error {
  override name = "FlagError";
}

/**
 * `parse()`, or undefined after writing its FlagError to `io` as
 * `frappe-op <command>: ...` with a pointer to `--help`; other errors are thrown.
 */
export function flagsOrReport<T>(
  command: string,
  io: { err(line: string): void },
  parse: () => T,
): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    io.err(
      `frappe-op ${command}: ${err.message}\nrun \`frappe-op ${command} --help\` for the flags`,
    );
    return undefined;
  }
}

export function parseFlags(args: string[], spec: FlagSpec): ParsedFlags {
  const strings = new Set(spec.string ?? []);
  const booleans = new Set(spec.boolean ?? []);
  const out: ParsedFlags = { values: new Map(), booleans: new Map(), positional: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      out.positional.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--")) {
      out.positional.push(arg);
      continue;
    }
    const [rawName, inline] = splitOnce(arg.slice(2), "=");
    if (strings.has(rawName)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new FlagError(`--${rawName} needs a value`);
      out.values.set(rawName, value);
    } else if (booleans.has(rawName)) {
      out.booleans.set(rawName, inline === undefined ? true : parseBool(rawName, inline));
    } else if (
      rawName.startsWith("no-") && booleans.has(rawName.slice(3)) && inline === undefined
    ) {
      out.booleans.set(rawName.slice(3), false);
    } else {
      throw new FlagError(`unknown flag --${rawName}`);
    }
  }
  return out;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

function parseBool(name: string, v: string): boolean {
  if (v === "true") return true;
  if (v === "false") return false;
  throw new FlagError(`--${name} must be true or false, not ${v}`);
}

/** `500ms`, `30s`, `5m`, `1h`, or plain milliseconds. */
/** Milliseconds; below `minMs` (e.g. 0, which would make a loop spin) is refused. */
export function parseDuration(name: string, text: string, minMs = 0): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new FlagError(`--${name}: "${text}" is not a duration such as 30s or 5m`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? "ms"]!;
  const ms = Math.round(Number(m[1]) * unit);
  if (ms < minMs) throw new FlagError(`--${name} must be at least ${minMs} ms, got "${text}"`);
  return ms;
}

export function parseInteger(name: string, text: string, min = 0, max = Infinity): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    const range = max === Infinity ? `>= ${min}` : `from ${min} to ${max}`;
    throw new FlagError(`--${name} must be an integer ${range}`);
  }
  return n;
}
