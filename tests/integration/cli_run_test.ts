/**
 * `bin/frappe-op run` as a real process with exactly the binary's permission
 * flags (bin/permissions): it connects, reconciles, serves /healthz, /readyz
 * and /metrics, and exits 0 on SIGTERM after releasing its lease. Once with
 * the admin client certificate, once as its own ServiceAccount (token) with
 * the RBAC of manifests/rbac: least privilege is enough, also under the
 * OwnerReferencesPermissionEnforcement admission plugin (children set
 * blockOwnerDeletion, which needs `update` on frappedeployments/finalizers).
 */
import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import type { KubeClient } from "../../kube/client.ts";
import { eventually, kubeconfigPath, kubectlOk, REPO_ROOT } from "../support/cluster.ts";
import { freePort } from "../support/net.ts";
import { applyFd, fdRef, operatorTest } from "./operator_support.ts";

async function httpGet(url: string): Promise<{ status: number; body: string } | undefined> {
  try {
    const res = await fetch(url);
    return { status: res.status, body: await res.text() };
  } catch {
    return undefined;
  }
}

interface Operator {
  health: string;
  metrics: string;
  /** SIGTERM, then the exit code and stderr. */
  stop(): Promise<{ code: number; stderr: string }>;
}

function startOperator(kubeconfig: string, ns: string, leaseNamespace: string): Operator {
  const [health, metrics] = [freePort(), freePort()];
  const flags = {
    "--kubeconfig": kubeconfig,
    "--namespaces": ns,
    "--leader-election-namespace": leaseNamespace,
    "--bind-address": "127.0.0.1",
    "--health-port": String(health),
    "--metrics-port": String(metrics),
    "--resync": "2s",
    "--progress-requeue": "1s",
    "--log-format": "text",
  };
  const child = new Deno.Command(`${REPO_ROOT}bin/frappe-op`, {
    args: ["run", "--leader-elect", ...Object.entries(flags).flat()],
    env: { HOME: Deno.env.get("HOME") ?? "/root" },
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  return {
    health: `http://127.0.0.1:${health}`,
    metrics: `http://127.0.0.1:${metrics}`,
    stop: async () => {
      child.kill("SIGTERM");
      return { code: (await child.status).code, stderr: await stderr };
    },
  };
}

async function until200(url: string): Promise<string> {
  return await eventually(url, async () => {
    const r = await httpGet(url);
    return r?.status === 200 ? r.body : undefined;
  }, 30_000);
}

async function runOperatorOn(
  client: KubeClient,
  kubeconfig: string,
  ns: string,
  leaseNamespace: string,
) {
  let stopped = { code: -1, stderr: "" };
  await applyFd(client, ns, "erp");
  const op = startOperator(kubeconfig, ns, leaseNamespace);
  let metrics = "";
  try {
    await until200(`${op.health}/healthz`);
    await until200(`${op.health}/readyz`);
    const outcome = await eventually(
      "FrappeDeployment Ready (or a write refused)",
      async () => {
        const fd = await client.get(fdRef(ns, "erp"));
        const conditions: { message?: string }[] = fd?.status?.conditions ?? [];
        const refused = conditions.find((c) => /Forbidden/.test(c.message ?? ""));
        if (refused) return `refused: ${refused.message}`;
        return fd?.status?.phase === "Ready" ? "Ready" : undefined;
      },
      120_000,
      500,
    );
    assert.equal(outcome, "Ready");
    metrics = await until200(`${op.metrics}/metrics`);
  } finally {
    stopped = await op.stop();
  }
  assert.equal(stopped.code, 0, stopped.stderr.slice(-2000));
  assert.match(metrics, /frappe_op_reconcile_total\{result="success"\} [1-9]/);
  assert.match(metrics, /frappe_op_api_requests_total\{verb="apply",outcome="ok"\} [1-9]/);
  assert.doesNotMatch(metrics, /outcome="(Forbidden|Unauthorized|network)"/, "nothing refused");
  assert.match(metrics, /frappe_op_workqueue_depth \d+/);
  assert.match(metrics, /frappe_op_leader 1/);
  assert.match(stopped.stderr, /became leader/);
  assert.match(stopped.stderr, /released leadership/);
  assert.match(stopped.stderr, /manager stopped reason=stopped/);
  assert.doesNotMatch(stopped.stderr, /NotCapable|Requires .* access|Forbidden/);
  const lease = await client.get({
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    namespace: leaseNamespace,
    name: "frappe-op",
  });
  assert.equal(lease!.spec.holderIdentity, "", "the lease was released");
  // What needs the finalizers rule under OwnerReferencesPermissionEnforcement (hack/cluster-up.sh).
  const { items } = await client.list("apps/v1", "Deployment", { namespace: ns });
  const refs = items.flatMap((d) => d.metadata.ownerReferences ?? []);
  assert.ok(refs.length > 0, "the operator created children");
  assert.ok(refs.every((r) => r.blockOwnerDeletion === true), "children block owner deletion");
}

/** A kubeconfig for the operator's ServiceAccount (token), after applying manifests/rbac. */
async function serviceAccountKubeconfig(dir: string): Promise<string> {
  await kubectlOk([
    "apply",
    "--server-side",
    "-f",
    `${REPO_ROOT}manifests/operator/namespace.yaml`,
  ]);
  await kubectlOk(["apply", "--server-side", "-f", `${REPO_ROOT}manifests/rbac/`]);
  const token = (await kubectlOk(["create", "token", "frappe-op", "-n", "frappe-op-system"]))
    .trim();
  const admin = parseYaml(await Deno.readTextFile(kubeconfigPath()));
  const cluster = admin.clusters[0].cluster;
  const path = `${dir}/operator.kubeconfig`;
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      "current-context": "operator",
      clusters: [{ name: "local", cluster }],
      users: [{ name: "operator", user: { token } }],
      contexts: [{ name: "operator", context: { cluster: "local", user: "operator" } }],
    }),
  );
  return path;
}

operatorTest(
  "bin/frappe-op run (admin certificate): least-privilege flags, health, metrics, SIGTERM",
  { namespace: "op-cli" },
  ({ client, ns }) => runOperatorOn(client, kubeconfigPath(), ns, ns),
);

operatorTest(
  "bin/frappe-op run as its ServiceAccount with manifests/rbac: nothing forbidden",
  { namespace: "op-rbac" },
  async ({ client, ns }) => {
    const dir = await Deno.makeTempDir({ prefix: "frappe-op-sa-" });
    try {
      const kubeconfig = await serviceAccountKubeconfig(dir);
      await runOperatorOn(client, kubeconfig, ns, "frappe-op-system");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
