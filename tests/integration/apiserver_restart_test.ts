/**
 * The operator process rides out a restart of the API server: its watches
 * break and its requests fail while the server is down; afterwards it relists,
 * stays ready, and a spec change made after the restart is reconciled.
 */
import assert from "node:assert/strict";
import { OperatorProcess } from "../../bench/operator_process.ts";
import { eventually, kubeconfigPath, REPO_ROOT, run } from "../support/cluster.ts";
import { freePort } from "../support/net.ts";
import { applyFd, deployment, fdRef, operatorTest } from "./operator_support.ts";

operatorTest(
  "the operator survives an API server restart and reconciles changes made after it",
  { namespace: "op-restart" },
  async ({ client, ns }) => {
    const dir = await Deno.makeTempDir({ prefix: "frappe-op-restart-" });
    const op = new OperatorProcess({
      kubeconfig: kubeconfigPath(),
      namespaces: [ns],
      port: freePort(),
      resync: "30s",
      logFile: `${dir}/operator.log`,
      extraArgs: ["--progress-requeue", "1s"],
    });
    const gunicornReplicas = async () =>
      (await deployment(client, ns, "erp-gunicorn"))?.spec?.replicas;
    try {
      await applyFd(client, ns, "erp");
      await eventually(
        "Ready before the restart",
        async () => {
          const fd = await client.get(fdRef(ns, "erp"));
          return fd?.status?.phase === "Ready" ? true : undefined;
        },
        120_000,
        500,
      );

      const restart = await run("bash", [`${REPO_ROOT}hack/restart-apiserver.sh`, "3"]);
      assert.equal(restart.code, 0, restart.stderr);
      assert.equal(op.exit, undefined, "the operator did not exit while the API server was down");

      await eventually(
        "the API server answers the test client again",
        async () => {
          await client.get(fdRef(ns, "erp"));
          return true;
        },
        60_000,
        500,
      );
      await applyFd(client, ns, "erp", { web: { replicas: 2 } });
      await eventually(
        "the change after the restart reconciled",
        async () => {
          return (await gunicornReplicas()) === 2 ? true : undefined;
        },
        120_000,
        500,
      );
      // Reflectors back off while the server is down (up to 30 s between relists).
      await eventually(
        "/readyz 200: every informer synced again",
        async () => {
          return (await op.ready()) ? true : undefined;
        },
        90_000,
        500,
      );
      const log = await Deno.readTextFile(`${dir}/operator.log`);
      assert.match(log, /list\/watch failed; retrying|watch/, "the broken watches were noticed");
      assert.equal(await op.stop(), 0, log.slice(-3000));
    } finally {
      await op.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
