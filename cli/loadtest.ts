/**
 * `frappe-op loadtest`: enqueue Frappe-format RQ jobs into a bench's queue,
 * watch workers scale and the queue drain, print a report.
 *
 * Permissions: --allow-net (Redis, the Kubernetes API), --allow-read (the
 * kubeconfig and files it names; in-cluster: the service account dir),
 * --allow-write (only the --json FILE), --allow-env (KUBECONFIG, HOME,
 * KUBERNETES_SERVICE_HOST/PORT, REDIS_PASSWORD).
 *
 * Exit codes: see loadtest/errors.ts and docs/loadtest.md.
 */

import { KubeClient } from "../kube/client.ts";
import { loadConfig } from "../kube/config.ts";
import { HttpTransport } from "../kube/http_transport.ts";
import { KubeClusterView } from "../loadtest/cluster.ts";
import { EXIT, LoadtestError } from "../loadtest/errors.ts";
import { formatReport, formatSample } from "../loadtest/format.ts";
import { runLoadtest } from "../loadtest/run.ts";
import { type CliConfig, parseLoadtestArgs, USAGE } from "./loadtest_args.ts";

const encoder = new TextEncoder();

/** One live line on a terminal (rewritten in place), a line every 10 s otherwise. */
function progressWriter(): (line: string) => void {
  const tty = Deno.stderr.isTerminal();
  let lastPlain = -Infinity;
  return (line) => {
    if (tty) {
      Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${line}`));
    } else if (Date.now() - lastPlain >= 10_000) {
      lastPlain = Date.now();
      Deno.stderr.writeSync(encoder.encode(`${line}\n`));
    }
  };
}

async function clusterView(cfg: CliConfig): Promise<KubeClusterView | undefined> {
  if (cfg.run.tenants.length === 0) return undefined;
  try {
    const env = Object.fromEntries(
      ["KUBECONFIG", "HOME", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"]
        .map((k) => [k, Deno.env.get(k)]),
    );
    const resolved = await loadConfig({
      kubeconfig: cfg.kubeconfig,
      context: cfg.context,
      env,
      readTextFile: Deno.readTextFile,
    });
    return new KubeClusterView(new KubeClient(new HttpTransport(resolved.connection)));
  } catch (cause) {
    throw new LoadtestError("kubeApi", `Kubernetes configuration: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** First Ctrl-C: stop enqueueing and report what happened; second: exit at once. */
function interruptOnSigint(): { signal: AbortSignal; dispose: () => void } {
  const ctl = new AbortController();
  const handler = () => {
    if (ctl.signal.aborted) Deno.exit(EXIT.interrupted);
    console.error("\ninterrupted: stopping after the current transaction (Ctrl-C again to quit)");
    ctl.abort();
  };
  Deno.addSignalListener("SIGINT", handler);
  return { signal: ctl.signal, dispose: () => Deno.removeSignalListener("SIGINT", handler) };
}

/**
 * Opens --json FILE for writing before the run (creating it empty), so an
 * unwritable path fails in a second, not after a long observation.
 */
async function checkWritable(file: string): Promise<void> {
  try {
    (await Deno.open(file, { write: true, create: true })).close();
  } catch (cause) {
    throw new LoadtestError("usage", `--json ${file}: ${(cause as Error).message}`, { cause });
  }
}

async function writeJson(file: string, report: unknown): Promise<void> {
  try {
    await Deno.writeTextFile(file, JSON.stringify(report, null, 2) + "\n");
  } catch (cause) {
    throw new LoadtestError("usage", `--json ${file}: ${(cause as Error).message}`, { cause });
  }
}

async function execute(cfg: CliConfig): Promise<number> {
  if (cfg.jsonFile) await checkWritable(cfg.jsonFile);
  const progress = progressWriter();
  const sigint = interruptOnSigint();
  try {
    const result = await runLoadtest(cfg.run, {
      cluster: await clusterView(cfg),
      signal: sigint.signal,
      onEnqueued: (n, total) => progress(`enqueued ${n}/${total}`),
      onSample: (s, enqueued) => progress(formatSample(s, enqueued)),
    });
    if (Deno.stderr.isTerminal()) console.error();
    console.log(formatReport(result.report));
    if (cfg.jsonFile) await writeJson(cfg.jsonFile, result.report);
    for (const f of result.failures) console.error(`expectation failed: ${f}`);
    if (result.interrupted) return EXIT.interrupted;
    return result.failures.length ? EXIT.expectationFailed : EXIT.ok;
  } finally {
    sigint.dispose();
  }
}

/** Errors are one line (docs/loadtest.md): a server's or API's multi-line message is joined. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ");
}

export async function main(args: string[]): Promise<number> {
  try {
    const cfg = parseLoadtestArgs(args, { REDIS_PASSWORD: Deno.env.get("REDIS_PASSWORD") });
    if (cfg.help) {
      console.log(USAGE);
      return EXIT.ok;
    }
    return await execute(cfg);
  } catch (err) {
    if (err instanceof LoadtestError) {
      const hint = err.kind === "usage" ? " (see frappe-op loadtest --help)" : "";
      console.error(`frappe-op loadtest: ${oneLine(err.message)}${hint}`);
      return err.exitCode;
    }
    console.error(`frappe-op loadtest: internal error: ${(err as Error)?.stack ?? err}`);
    return EXIT.internal;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
