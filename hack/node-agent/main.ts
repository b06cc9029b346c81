/**
 * frappe-op test node agent: plays kubelet for one Node of the local cluster
 * (hack/cluster-up.sh). See hack/node-agent/README.md.
 *
 *   deno run --allow-read --allow-write --allow-net --allow-env --allow-run \
 *     hack/node-agent/main.ts --kubeconfig .local/cluster/admin.kubeconfig --state-dir DIR
 *
 * Permissions: read/write (kubeconfig, state dir, /etc/hosts), net (the
 * apiserver), env (PATH/HOME for the processes), run (bash, rq, redis-server).
 */
import { realClock, sleep } from "../../kube/clock.ts";
import { errorChain } from "../../kube/errors.ts";
import { createLogger } from "../../kube/log.ts";
import { Reflector } from "../../kube/reflector.ts";
import { shortHash } from "../../apis/naming.ts";
import { Agent } from "./agent.ts";
import { AgentApi } from "./api.ts";
import { HostsFile } from "./hosts.ts";
import { heartbeat, type NodeOptions, registerNode, renewLease } from "./node.ts";
import { Provisioner } from "./provisioner.ts";

export function parseFlags(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const m = args[i].match(/^--([a-z-]+)(?:=(.*))?$/);
    if (!m) throw new Error(`unexpected argument ${args[i]}`);
    out[m[1]] = m[2] ?? args[++i] ?? "";
  }
  return out;
}

const repo = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const home = Deno.env.get("HOME") ?? "/root";

async function main(): Promise<void> {
  const f = parseFlags(Deno.args);
  const stateDir = f["state-dir"] ?? `${repo}/.local/cluster/node-agent`;
  const log = createLogger({ format: "text", sink: (l) => console.error(l) }, {
    component: "node-agent",
  });
  const api = await AgentApi.fromKubeconfig(
    f.kubeconfig ?? `${repo}/.local/cluster/admin.kubeconfig`,
  );
  const node: NodeOptions = {
    name: f["node-name"] ?? "frappe-op-local-node",
    cpu: f.cpu ?? "16",
    memory: f.memory ?? "64Gi",
    pods: f.pods ?? "220",
    hostIP: "127.0.0.1",
  };
  await Deno.mkdir(stateDir, { recursive: true });
  // The state dir names this agent (and its cluster) in the hosts file's marks.
  const hosts = new HostsFile(f["hosts-file"] ?? "/etc/hosts", shortHash(stateDir));
  await hosts.remove(); // lines a crashed run left behind
  const agent = new Agent(api, hosts, log, {
    nodeName: node.name,
    hostIP: node.hostIP,
    stateDir,
    venvBase: f["venv-base"] ??
      `${Deno.env.get("FRAPPE_OP_CACHE") ?? `${home}/.cache/frappe-op`}/venv`,
    standinDir: f["standin-dir"] ?? `${repo}/tests/frappe_standin`,
    jobSeconds: Number(f["job-seconds"] ?? "2"),
    maxBackoffMs: Number(f["max-backoff-ms"] ?? "10000"),
  });
  const stop = new AbortController();
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(sig, () => {
      log.info("signal received: stopping", { signal: sig });
      stop.abort();
    });
  }

  await registerNode(api, node);
  log.info("node registered", { node: node.name });
  const provisioner = new Provisioner(api, log, `${stateDir}/volumes`);
  const common = { client: api.client, clock: realClock, log, watchTimeoutSeconds: 120 };
  const pods = new Reflector({
    ...common,
    apiVersion: "v1",
    kind: "Pod",
    onChange: (t, p) => agent.onPod(t, p),
  });
  const claims = new Reflector({
    ...common,
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    onChange: (t, c) => provisioner.onClaim(t, c),
  });
  const every = async (ms: number, what: string, fn: () => Promise<void>) => {
    while (!stop.signal.aborted) {
      await fn().catch((err) => log.warn(`${what} failed`, { error: errorChain(err) }));
      await sleep(realClock, ms, stop.signal);
    }
  };
  const stopped = new Promise((resolve) => stop.signal.addEventListener("abort", resolve));
  // Shutdown does not wait for the watches to notice the abort.
  const loops = Promise.all([
    pods.run(stop.signal),
    claims.run(stop.signal),
    every(10_000, "lease renewal", () => renewLease(api, node.name)),
    every(20_000, "node heartbeat", () => heartbeat(api, node)),
    every(3_000, "hosts refresh", () => agent.refreshHosts()),
  ]);
  await Promise.race([loops, stopped]);
  log.info("stopping: terminating processes");
  await agent.shutdown(Number(f["shutdown-grace-ms"] ?? "10000"));
  log.info("stopped");
  Deno.exit(0);
}

if (import.meta.main) {
  main().catch((err) => {
    console.error(`node-agent: ${errorChain(err)}`);
    Deno.exit(1);
  });
}
