/**
 * The operator process in-process (informers, work queue, leader election)
 * against the real control plane with a short resync.
 */
import assert from "node:assert/strict";
import { Manager } from "../../controllers/manager.ts";
import { KubeClient } from "../../kube/client.ts";
import { eventually, withNamespace } from "../support/cluster.ts";
import { freePort } from "../support/net.ts";
import {
  applyFd,
  childrenOf,
  fdRef,
  idOf,
  managerConfig,
  operatorTest,
  sleep,
  testClient,
  withManager,
} from "./operator_support.ts";

async function ready(client: KubeClient, ns: string, name: string) {
  return await eventually(
    `${ns}/${name} Ready`,
    async () => {
      const fd = await client.get(fdRef(ns, name));
      return fd?.status?.phase === "Ready" ? fd : undefined;
    },
    120_000,
    500,
  );
}

operatorTest(
  "the manager converges; resyncs write nothing; a restarted operator adds no duplicates",
  { namespace: "op-manager" },
  async ({ ns, ...t }) => {
    await applyFd(t.client, ns, "erp");
    const first = await withManager(managerConfig(t, [ns]), async (m) => {
      await ready(t.client, ns, "erp");
      await eventually("readyz", () => Promise.resolve(m.ready().ok ? true : undefined));
      await sleep(1_500);
      const writes = t.transport.writes();
      await sleep(3_500); // three resyncs
      assert.equal(t.transport.writes(), writes, "resyncs at steady state send no writes");
      assert.match(m.registry.render(), /frappe_op_reconcile_total\{result="success"\} \d+/);
      assert.match(
        m.registry.render(),
        /frappe_op_api_requests_total\{verb="apply-dry-run",outcome="ok"\} [1-9]/,
        "dry runs are counted under their own verb",
      );
      return (await childrenOf(t.client, ns, "erp")).map((c) => `${idOf(c)}@${c.metadata.uid}`)
        .sort();
    });
    const t2 = await testClient();
    try {
      await withManager(managerConfig(t2, [ns]), async () => {
        await sleep(4_000);
        assert.equal(t2.transport.writes(), 0, "a restarted operator has nothing to write");
      });
    } finally {
      t2.close();
    }
    const after = (await childrenOf(t.client, ns, "erp")).map((c) => `${idOf(c)}@${c.metadata.uid}`)
      .sort();
    assert.deepEqual(
      after,
      first,
      "same children, same uids: nothing re-created or duplicated",
    );
  },
);

operatorTest("three FrappeDeployments in different namespaces stay independent", {
  namespace: "op-tenant-a",
}, async ({ ns: a, ...t }) => {
  await withNamespace("op-tenant-b", (b) =>
    withNamespace("op-tenant-c", async (c) => {
      const nss = [a, b, c];
      for (const ns of nss) {
        await applyFd(t.client, ns, "erp");
      }
      await withManager(managerConfig(t, nss), async () => {
        const fds = await Promise.all(nss.map((ns) => ready(t.client, ns, "erp")));
        const benchIds = new Set(fds.map((fd) => fd.status.benchId));
        assert.equal(benchIds.size, 3, "each tenant has its own bench id (queue keys)");
        for (const [i, ns] of nss.entries()) {
          for (const child of await childrenOf(t.client, ns, "erp")) {
            const owner = child.metadata.ownerReferences?.find((r) => r.controller);
            // The data deletionPolicy Retain keeps has no owner (deletion_test.ts).
            if (!owner && ["PersistentVolumeClaim", "Secret"].includes(child.kind)) continue;
            assert.equal(owner?.uid, fds[i].metadata.uid, `${ns} ${idOf(child)}`);
          }
        }
        const secrets = await Promise.all(nss.map((ns) =>
          t.client.get({
            apiVersion: "v1",
            kind: "Secret",
            namespace: ns,
            name: "erp-credentials",
          })
        ));
        const passwords = new Set(secrets.map((s) => s!.data["redis-queue-password"]));
        assert.equal(passwords.size, 3, "own credentials per tenant");
        const before = await t.client.get(fdRef(b, "erp"));
        await t.client.delete(fdRef(a, "erp"));
        await applyFd(t.client, c, "erp", {
          workers: { short: { replicas: 0, queues: ["short", "long"] } },
        });
        await eventually(
          "c updated",
          async () => {
            const fd = await t.client.get(fdRef(c, "erp"));
            return fd?.status?.observedGeneration === 2 && fd.status.phase === "Ready"
              ? true
              : undefined;
          },
          60_000,
          500,
        );
        const after = await t.client.get(fdRef(b, "erp"));
        assert.equal(
          after!.metadata.resourceVersion,
          before!.metadata.resourceVersion,
          "b untouched",
        );
      });
    }));
});

operatorTest("two replicas: one leads, the other stands by and takes over when it stops", {
  namespace: "op-leader",
  nodeAgent: false,
}, async ({ ns, ...t }) => {
  const le = (identity: string) => ({
    namespace: ns,
    name: "frappe-op",
    identity,
    leaseDurationMs: 4_000,
    renewDeadlineMs: 3_000,
    retryPeriodMs: 500,
  });
  // An external queue Redis (a closed port): the bench enters the observer at its first reconcile.
  await applyFd(t.client, ns, "erp", {
    redis: { queue: { external: { url: `redis://127.0.0.1:${freePort()}` } } },
  });
  const observed = (m: Manager) => m.queueObserver.stats().benches;
  const a = new Manager({ ...managerConfig(t, [ns]), leaderElection: le("a") });
  const b = new Manager({ ...managerConfig(t, [ns]), leaderElection: le("b") });
  const stopA = new AbortController();
  const stopB = new AbortController();
  const runA = a.run(stopA.signal);
  await eventually("a leads", () => Promise.resolve(a.elector!.isLeader ? true : undefined));
  const runB = b.run(stopB.signal);
  await eventually("b knows", () => Promise.resolve(b.ready().ok ? true : undefined));
  assert.match(b.ready().detail, /standby/);
  assert.equal(b.elector!.isLeader, false);
  await eventually(
    "a observes the bench's queues",
    () => Promise.resolve(observed(a) === 1 || undefined),
  );
  assert.equal(observed(b), 0, "only the leader reads queue Redis");
  stopA.abort();
  assert.equal(await runA, "stopped");
  const lease = await t.client.get({
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    namespace: ns,
    name: "frappe-op",
  });
  assert.ok(["", "b"].includes(lease!.spec.holderIdentity), "a released the lease");
  await eventually(
    "b leads",
    () => Promise.resolve(b.elector!.isLeader ? true : undefined),
    10_000,
  );
  assert.equal(observed(a), 0, "a stopped observing");
  await eventually(
    "b observes the bench's queues",
    () => Promise.resolve(observed(b) === 1 || undefined),
  );
  stopB.abort();
  assert.equal(await runB, "stopped");
});
