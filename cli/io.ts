/**
 * What the render, manifests and status commands touch outside themselves:
 * output streams, files, stdin, the environment and the clock. `main()` uses
 * `denoIo()`; tests pass a `captureIo()` and read what was written.
 */

export interface CliIo {
  /** Writes to stdout as given (no newline added). */
  out(text: string): void;
  /** Writes one line to stderr. */
  err(line: string): void;
  readFile(path: string): Promise<string>;
  readStdin(): Promise<string>;
  env(name: string): string | undefined;
  now(): Date;
}

const encoder = new TextEncoder();

function writeAll(file: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(file.writeSync(bytes));
}

export function denoIo(): CliIo {
  return {
    out: (text) => writeAll(Deno.stdout, text),
    err: (line) => writeAll(Deno.stderr, line + "\n"),
    readFile: (path) => Deno.readTextFile(path),
    readStdin: () => new Response(Deno.stdin.readable).text(),
    env: (name) => Deno.env.get(name),
    now: () => new Date(),
  };
}

export interface CapturedIo extends CliIo {
  stdout(): string;
  stderr(): string;
}

/** An in-memory CliIo for tests: files from `files`, stdin from `stdin`. */
export function captureIo(
  opts: {
    files?: Record<string, string>;
    stdin?: string;
    env?: Record<string, string>;
    now?: Date;
  } = {},
): CapturedIo {
  let out = "";
  let err = "";
  return {
    out: (text) => void (out += text),
    err: (line) => void (err += line + "\n"),
    readFile: (path) => {
      const text = opts.files?.[path];
      if (text !== undefined) return Promise.resolve(text);
      return Deno.readTextFile(path);
    },
    readStdin: () => Promise.resolve(opts.stdin ?? ""),
    env: (name) => opts.env?.[name],
    now: () => opts.now ?? new Date("2026-01-01T00:00:00Z"),
    stdout: () => out,
    stderr: () => err,
  };
}

/** Maps kubectl-style short flags (`-f x`, `-n=x`, `-A`) to their long names. */
export function expandShortFlags(args: string[], aliases: Record<string, string>): string[] {
  return args.map((arg) => {
    const m = /^-([A-Za-z])(=.*)?$/.exec(arg);
    if (!m || !(m[1] in aliases)) return arg;
    return `--${aliases[m[1]]}${m[2] ?? ""}`;
  });
}
