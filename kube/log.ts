/**
 * A small structured logger, passed in everywhere (no globals). The sink is
 * the only place that writes anywhere: the CLI gives it stderr; tests give it
 * an array or nothing.
 */

export type Level = "debug" | "info" | "warn" | "error";
export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** A logger that adds `fields` to every line. */
  with(fields: Fields): Logger;
}

export type LogFormat = "json" | "text";
export type Sink = (line: string, level: Level) => void;

export interface LoggerOptions {
  level?: Level;
  format?: LogFormat;
  sink: Sink;
  now?: () => number;
}

const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function isLevel(s: string): s is Level {
  return s in RANK;
}

export function createLogger(opts: LoggerOptions, base: Fields = {}): Logger {
  const min = RANK[opts.level ?? "info"];
  const now = opts.now ?? Date.now;
  const emit = (level: Level, msg: string, fields?: Fields) => {
    if (RANK[level] < min) return;
    const all = { ...base, ...fields };
    const time = new Date(now()).toISOString();
    const line = opts.format === "text"
      ? textLine(time, level, msg, all)
      : JSON.stringify({ time, level, msg, ...serializable(all) });
    opts.sink(line, level);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    with: (fields) => createLogger(opts, { ...base, ...fields }),
  };
}

export const nullLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  with: () => nullLogger,
};

function serializable(fields: Fields): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(fields)) out[k] = v instanceof Error ? errorFields(v) : v;
  return out;
}

function errorFields(err: Error, depth = 0): unknown {
  const out: Fields = { name: err.name, message: err.message };
  if (err.cause !== undefined && depth < 5) {
    out.cause = err.cause instanceof Error ? errorFields(err.cause, depth + 1) : String(err.cause);
  }
  return out;
}

function textLine(time: string, level: Level, msg: string, fields: Fields): string {
  const parts = Object.entries(serializable(fields)).map(([k, v]) =>
    `${k}=${typeof v === "string" && !/\s/.test(v) ? v : JSON.stringify(v)}`
  );
  return [time, level.toUpperCase().padEnd(5), msg, ...parts].join(" ");
}
