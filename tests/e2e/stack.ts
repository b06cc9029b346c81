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
import { ensureCluster, kubeconfigPath, REPO_ROOT, run } from "../support/cluster.ts";

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
