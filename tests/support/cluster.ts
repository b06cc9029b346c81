/**
 * Test helper for the real local control plane (hack/cluster-up.sh). It
 * attaches to a running cluster, or starts one, and gives each test its own
 * namespace, deleted afterwards.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The state directory of the local cluster (hack/lib.sh CLUSTER_DIR). */
export function clusterDir(): string {
  return Deno.env.get("FRAPPE_OP_CLUSTER_DIR") ?? join(REPO_ROOT, ".local", "cluster");
}

/** Path of the admin kubeconfig that hack/cluster-up.sh writes. */
export function kubeconfigPath(): string {
  return join(clusterDir(), "admin.kubeconfig");
}

/** The kubectl built at the cluster's pinned Kubernetes version. */
export function kubectlPath(): string {
  return join(clusterDir(), "bin", "kubectl");
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function run(cmd: string, args: string[], stdin?: string): Promise<RunResult> {
  const child = new Deno.Command(cmd, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Runs kubectl against the local cluster; stdin may carry a manifest. */
export function kubectl(args: string[], stdin?: string): Promise<RunResult> {
  return run(kubectlPath(), ["--kubeconfig", kubeconfigPath(), ...args], stdin);
}

/** kubectl that must succeed; returns stdout. */
export async function kubectlOk(args: string[], stdin?: string): Promise<string> {
  const r = await kubectl(args, stdin);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

let started: Promise<void> | undefined;

/** Starts the cluster unless it is already up (hack/cluster-up.sh is idempotent). */
export function ensureCluster(): Promise<void> {
  started ??= (async () => {
    const r = await run("bash", [join(REPO_ROOT, "hack", "cluster-up.sh")]);
    if (r.code !== 0) throw new Error(`hack/cluster-up.sh failed:\n${r.stderr}`);
  })();
  return started;
}

function randomSuffix(): string {
  return crypto.randomUUID().slice(0, 8);
}

/** Runs fn in a fresh namespace that is deleted afterwards, pass or fail. */
export async function withNamespace<T>(
  prefix: string,
  fn: (namespace: string) => Promise<T>,
): Promise<T> {
  await ensureCluster();
  const ns = `${prefix}-${randomSuffix()}`.toLowerCase().slice(0, 63);
  await kubectlOk(["create", "namespace", ns]);
  try {
    return await fn(ns);
  } finally {
    await kubectl(["delete", "namespace", ns, "--wait=false"]);
  }
}

/** Polls until check returns a value other than undefined, or fails after timeoutMs. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
}
