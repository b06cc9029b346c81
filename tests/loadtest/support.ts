/**
 * Helpers for the loadtest tests: a private redis-server per test file on a
 * free loopback port (plain, or TLS only with a CA of its own), the two RQ
 * virtualenvs (hack/python-env.sh), real RQ workers running the frappe
 * stand-in, and Python one-liners in a venv.
 */
import { fileURLToPath } from "node:url";
import { freePort } from "../support/net.ts";
import type { RunConfig } from "../../loadtest/run.ts";
import type { Scenario } from "../../loadtest/scenarios.ts";
import { DEFAULT_PRICES } from "../../loadtest/report.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const STANDIN = `${REPO_ROOT}tests/frappe_standin`;
export type RqVersion = "1.15.1" | "2.6.1";
export const RQ_OF = { 15: "1.15.1", 16: "2.6.1" } as const;

export interface RedisServer {
  port: number;
  url: string;
  dir: string;
  cli(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  password?: string;
  /** Extra redis-server arguments (e.g. TLS); `port` is then left to the caller. */
  extraArgs?: string[];
  noPlainPort?: boolean;
}

async function waitFor(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function startRedis(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "frappe-op-redis-" });
  const args = [
    "--port",
    opts.noPlainPort ? "0" : String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    ...(opts.password ? ["--requirepass", opts.password] : []),
    ...(opts.extraArgs ?? []),
  ];
  const proc = new Deno.Command("redis-server", { args, stdout: "null", stderr: "null" }).spawn();
  const auth = opts.password ? ["-a", opts.password, "--no-auth-warning"] : [];
  const cli = async (...a: string[]) => {
    const out = await new Deno.Command("redis-cli", { args: ["-p", String(port), ...auth, ...a] })
      .output();
    return new TextDecoder().decode(out.stdout).trim();
  };
  if (!opts.noPlainPort) await waitFor(async () => (await cli("PING")) === "PONG", "redis-server");
  const pass = opts.password ? `:${opts.password}@` : "";
  return {
    port,
    url: `redis://${pass}127.0.0.1:${port}`,
    dir,
    cli,
    stop: async () => {
      proc.kill("SIGTERM");
      await proc.status;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function openssl(...args: string[]): Promise<void> {
  const out = await new Deno.Command("openssl", { args, stderr: "null" }).output();
  if (!out.success) throw new Error(`openssl ${args[0]} failed`);
}

/** A CA and a server certificate it signed for 127.0.0.1 (rustls refuses a CA as the leaf). */
async function certificates(dir: string): Promise<void> {
  const key = ["-newkey", "rsa:2048", "-nodes", "-days", "1"];
  await openssl(
    "req",
    "-x509",
    ...key,
    "-subj",
    "/CN=test-ca",
    "-keyout",
    `${dir}/ca.key`,
    "-out",
    `${dir}/ca.pem`,
  );
  await openssl(
    "req",
    ...key,
    "-subj",
    "/CN=redis",
    "-keyout",
    `${dir}/k.pem`,
    "-out",
    `${dir}/c.csr`,
  );
  await Deno.writeTextFile(`${dir}/ext`, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  await openssl(
    ...["x509", "-req", "-in", `${dir}/c.csr`, "-CA", `${dir}/ca.pem`, "-CAkey", `${dir}/ca.key`],
    ...["-CAcreateserial", "-days", "1", "-extfile", `${dir}/ext`, "-out", `${dir}/c.pem`],
  );
}

export interface TlsRedisServer {
  port: number;
  /** The CA (PEM) that signed the server's certificate. */
  ca: string;
  stop(): Promise<void>;
}

/** A redis-server speaking only TLS on a free port; clients need no certificate. */
export async function startTlsRedis(): Promise<TlsRedisServer> {
  const dir = await Deno.makeTempDir();
  await certificates(dir);
  const port = freePort();
  const server = await startRedis({
    noPlainPort: true,
    extraArgs: [
      ...["--tls-port", String(port), "--tls-auth-clients", "no"],
      ...["--tls-cert-file", `${dir}/c.pem`, "--tls-key-file", `${dir}/k.pem`],
      ...["--tls-ca-cert-file", `${dir}/ca.pem`],
    ],
  });
  // No plain port to PING: give it a moment to listen.
  await new Promise((r) => setTimeout(r, 300));
  return {
    port,
    ca: await Deno.readTextFile(`${dir}/ca.pem`),
    stop: async () => (await server.stop(), await Deno.remove(dir, { recursive: true })),
  };
}

let venvs: Promise<Record<string, string>> | undefined;

/** `rq-<version>` -> venv dir, creating them on first use. */
export function pythonVenvs(): Promise<Record<string, string>> {
  venvs ??= (async () => {
    const out = await new Deno.Command(`${REPO_ROOT}hack/python-env.sh`, { stderr: "inherit" })
      .output();
    if (!out.success) throw new Error("hack/python-env.sh failed");
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
    return Object.fromEntries(lines.map((l) => l.split(" ") as [string, string]));
  })();
  return venvs;
}

export async function venvPython(version: RqVersion): Promise<string> {
  return `${(await pythonVenvs())[`rq-${version}`]}/bin/python`;
}

/** Runs a Python script in a venv with the stand-in on PYTHONPATH; returns stdout. */
export async function python(version: RqVersion, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(await venvPython(version), {
    args,
    env: { PYTHONPATH: STANDIN, ...env },
  }).output();
  const text = new TextDecoder();
  if (!out.success) throw new Error(`python ${args.join(" ")}: ${text.decode(out.stderr)}`);
  return text.decode(out.stdout);
}

export interface Worker {
  pid: number;
  /** SIGKILL to the worker and its work horse. */
  killHard(): void;
  stop(): Promise<void>;
  /** SIGTERM: RQ's warm shutdown (the current job finishes first). */
  stopWarm(): Promise<void>;
  done: Promise<Deno.CommandStatus>;
}

/** Direct children of a process (`ps --ppid`; Deno reads /proc only with --allow-all). */
export function childPids(pid: number): number[] {
  const out = new Deno.Command("ps", { args: ["--ppid", String(pid), "-o", "pid="] }).outputSync();
  return new TextDecoder().decode(out.stdout).split(/\s+/).filter((p) => p).map(Number);
}

/** Whether a process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const out = new Deno.Command("ps", { args: ["-p", String(pid), "-o", "stat="] }).outputSync();
  const stat = new TextDecoder().decode(out.stdout).trim();
  return stat !== "" && !stat.startsWith("Z");
}

/** A real `rq worker`; killHard() SIGKILLs it and its work horse, as a node failure would. */
export async function startWorker(
  version: RqVersion,
  redisUrl: string,
  queues: string[],
  opts: { burst?: boolean; log: string; monitorInterval?: number },
): Promise<Worker> {
  const args = [
    "-m",
    "rq.cli",
    "worker",
    "--url",
    redisUrl,
    "--job-monitoring-interval",
    String(opts.monitorInterval ?? 30),
    ...(opts.burst ? ["--burst"] : []),
    ...queues,
  ];
  const proc = new Deno.Command(await venvPython(version), {
    args,
    env: { PYTHONPATH: STANDIN, FRAPPE_STANDIN_LOG: opts.log },
    stdout: "null",
    stderr: "null",
  }).spawn();
  const killAll = () => {
    for (const pid of [...childPids(proc.pid), proc.pid]) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch { /* already gone */ }
    }
  };
  return {
    pid: proc.pid,
    killHard: killAll,
    stop: async () => {
      killAll();
      await proc.status;
    },
    stopWarm: async () => {
      try {
        proc.kill("SIGTERM");
      } catch { /* already gone */ }
      await proc.status;
    },
    done: proc.status,
  };
}

export interface StandinEntry {
  job_id: string;
  site: string;
  method: string;
  job_name: string;
  kwargs: Record<string, unknown>;
  user: string;
  is_async: boolean;
  phase: "start" | "end";
}

export async function readStandinLog(path: string): Promise<StandinEntry[]> {
  const text = await Deno.readTextFile(path).catch(() => "");
  // Only whole lines: a worker may be in the middle of writing the last one.
  return text.split("\n").slice(0, -1).filter((l) => l.trim()).map((l) => JSON.parse(l));
}

export async function waitForEntry(
  path: string,
  pred: (e: StandinEntry) => boolean,
  ms = 20_000,
): Promise<void> {
  await waitFor(async () => (await readStandinLog(path)).some(pred), "stand-in log entry", ms);
}

/** A `runLoadtest` config that enqueues and returns at once (no observing): what fault tests need. */
export function enqueueOnly(
  scenario: Scenario,
  tenants: string[],
  extra: Partial<RunConfig> = {},
): RunConfig {
  return {
    scenario,
    tenants,
    wait: false,
    timeoutS: 1,
    intervalS: 1,
    lostAfterS: 90,
    prices: DEFAULT_PRICES,
    expect: {},
    ...extra,
  };
}
