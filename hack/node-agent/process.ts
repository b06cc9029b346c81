/**
 * One container's process. Output goes to a log file (bash execs the
 * command, so the pid IS the container's main process and a signal reaches
 * it directly, as PID 1 in a container would get it). `stop` sends exactly one
 * SIGTERM, to the main process only, waits up to the grace period, then
 * SIGKILLs the main process and every descendant (proctree.ts), as the end of
 * a container takes all its processes with it.
 */
import { killTree } from "./proctree.ts";

export interface ExitInfo {
  code: number;
  signal: string | null;
  at: number;
}

export class ContainerProcess {
  readonly #child: Deno.ChildProcess;
  readonly exited: Promise<ExitInfo>;
  readonly startedAt = Date.now();
  #sigterm = false;

  constructor(argv: string[], opts: { env: Record<string, string>; cwd: string; logFile: string }) {
    this.#child = new Deno.Command("bash", {
      args: ["-c", 'log="$1"; shift; exec "$@" >>"$log" 2>&1', "bash", opts.logFile, ...argv],
      env: opts.env,
      clearEnv: true,
      cwd: opts.cwd,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    this.exited = this.#child.status.then((s) => ({
      code: s.code,
      signal: s.signal,
      at: Date.now(),
    }));
  }

  get pid(): number {
    return this.#child.pid;
  }

  /** One SIGTERM (never a second: RQ would cold-stop), then SIGKILL of the tree after `graceMs`. */
  async stop(graceMs: number): Promise<ExitInfo> {
    if (!this.#sigterm) {
      this.#sigterm = true;
      this.#signal("SIGTERM");
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), graceMs));
    const first = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (first === "timeout") {
      try {
        await killTree(this.pid);
      } finally {
        this.#signal("SIGKILL");
      }
    }
    return await this.exited;
  }

  #signal(sig: Deno.Signal): void {
    try {
      this.#child.kill(sig);
    } catch {
      // already gone
    }
  }
}
