/**
 * The e2e stack: local control plane (hack/cluster-up.sh), KEDA
 * (hack/keda-up.sh), the test node agent (hack/node-agent-up.sh) and the
 * operator from source (hack/operator-up.sh), each
 * idempotent, started once per test process. A typed API client for polling
 * (cheaper than a kubectl process per sample).
 */
import { join } from "node:path";
import { KubeClient } from "../../kube/client.ts";
import { HttpTransport } from "../../kube/http_transport.ts";
import { loadKubeconfig } from "../../kube/kubeconfig.ts";
import { clusterDir, ensureCluster, kubeconfigPath, REPO_ROOT, run } from "../support/cluster.ts";

let stack: Promise<void> | undefined;

async function script(name: string): Promise<void> {
  const r = await run("bash", [join(REPO_ROOT, "hack", name)]);
  if (r.code !== 0) throw new Error(`hack/${name} failed:\n${r.stderr}`);
}

/** Cluster + KEDA + node agent + frappe-op from source, started at most once. */
export function ensureStack(): Promise<void> {
  stack ??= (async () => {
    // A fresh cluster gets a fast HPA loop (kube-controller-manager flag);
    // a running one is used as it is.
    if (!Deno.env.get("HPA_SYNC_PERIOD")) Deno.env.set("HPA_SYNC_PERIOD", "5s");
    await ensureCluster();
    await script("keda-up.sh");
    await script("node-agent-up.sh");
    await script("operator-up.sh");
  })();
  return stack;
}

let client: KubeClient | undefined;

export async function kube(): Promise<KubeClient> {
  if (client) return client;
  const cfg = await loadKubeconfig({ path: kubeconfigPath(), readTextFile: Deno.readTextFile });
  client = new KubeClient(new HttpTransport(cfg.connection));
  return client;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * A flag of the running kube-controller-manager, or undefined: read from its
 * command line (`ps`, as the test tiers may not read /proc), since the HPA's
 * sync period is fixed when the cluster starts.
 */
export async function kcmFlag(flag: string): Promise<string | undefined> {
  const pid = (await Deno.readTextFile(join(clusterDir(), "run", "kube-controller-manager.pid")))
    .trim();
  const r = await run("ps", ["-o", "args=", "-p", pid]);
  if (r.code !== 0) throw new Error(`kube-controller-manager (pid ${pid}) is not running`);
  const argv = r.stdout.trim().split(/\s+/);
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`${flag}=`))?.split("=")[1];
}

/** `--horizontal-pod-autoscaler-sync-period` of the running cluster ("15s" when not given). */
export async function hpaSyncPeriod(): Promise<string> {
  return await kcmFlag("--horizontal-pod-autoscaler-sync-period") ?? "15s";
}

/** A Go duration as kube-controller-manager prints it (`5s`, `1m0s`, `500ms`) in seconds. */
export function durationSeconds(d: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let matched = "";
  for (const m of d.matchAll(re)) {
    total += Number(m[1]) * units[m[2]];
    matched += m[0];
  }
  if (matched === "" || matched !== d) throw new Error(`not a duration: "${d}"`);
  return total;
}
