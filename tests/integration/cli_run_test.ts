/**
 * `bin/frappe-op run` as a real process with exactly the binary's permission
 * flags (bin/permissions): it connects with the admin kubeconfig, reconciles,
 * serves /healthz, /readyz and /metrics, and exits 0 on SIGTERM after
 * releasing its lease.
 */
import assert from "node:assert/strict";
import { eventually, kubeconfigPath, REPO_ROOT, withNamespace } from "../support/cluster.ts";
import {
  ensureNodeAgent,
  fdRef,
  frappeDeployment,
  installCrd,
  testClient,
} from "./operator_support.ts";

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function httpGet(url: string): Promise<{ status: number; body: string } | undefined> {
  try {
    const res = await fetch(url);
    return { status: res.status, body: await res.text() };
  } catch {
    return undefined;
  }
}

Deno.test({
  name: "bin/frappe-op run: least-privilege process, health, metrics, graceful SIGTERM",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const t = await testClient();
    await installCrd(t.client);
    await ensureNodeAgent();
    try {
      await withNamespace("op-cli", async (ns) => {
        await t.client.apply(frappeDeployment(ns, "erp"), { fieldManager: "test", force: true });
        const [health, metrics] = [freePort(), freePort()];
        const child = new Deno.Command(`${REPO_ROOT}bin/frappe-op`, {
          args: [
            "run",
            "--kubeconfig",
            kubeconfigPath(),
            "--namespaces",
            ns,
            "--leader-elect",
            "--leader-election-namespace",
            ns,
            "--bind-address",
            "127.0.0.1",
            "--health-port",
            String(health),
            "--metrics-port",
            String(metrics),
            "--resync",
            "2s",
            "--progress-requeue",
            "1s",
            "--log-format",
            "text",
          ],
          env: { HOME: Deno.env.get("HOME") ?? "/root" },
          clearEnv: true,
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        const output = Promise.all([
          new Response(child.stdout).text(),
          new Response(child.stderr).text(),
        ]);
        try {
          await eventually("healthz", async () => {
            const r = await httpGet(`http://127.0.0.1:${health}/healthz`);
            return r?.status === 200 ? r : undefined;
          }, 30_000);
          await eventually("readyz", async () => {
            const r = await httpGet(`http://127.0.0.1:${health}/readyz`);
            return r?.status === 200 ? r : undefined;
          }, 30_000);
          await eventually(
            "FrappeDeployment Ready",
            async () => {
              const fd = await t.client.get(fdRef(ns, "erp"));
              return fd?.status?.phase === "Ready" ? true : undefined;
            },
            120_000,
            500,
          );
          const m = await httpGet(`http://127.0.0.1:${metrics}/metrics`);
          assert.equal(m?.status, 200);
          assert.match(m!.body, /frappe_op_reconcile_total\{result="success"\} [1-9]/);
          assert.match(m!.body, /frappe_op_api_requests_total\{verb="apply",outcome="ok"\} [1-9]/);
          assert.match(m!.body, /frappe_op_workqueue_depth \d+/);
          assert.match(m!.body, /frappe_op_leader 1/);
        } finally {
          child.kill("SIGTERM");
        }
        const status = await child.status;
        const [, stderr] = await output;
        assert.equal(status.code, 0, stderr.slice(-2000));
        assert.match(stderr, /became leader/);
        assert.match(stderr, /released leadership/);
        assert.match(stderr, /manager stopped reason=stopped/);
        assert.doesNotMatch(stderr, /NotCapable|Requires .* access/, "no missing permission");
        const lease = await t.client.get({
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          namespace: ns,
          name: "frappe-op",
        });
        assert.equal(lease!.spec.holderIdentity, "");
      });
    } finally {
      t.close();
    }
  },
});
