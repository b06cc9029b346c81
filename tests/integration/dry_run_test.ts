/**
 * The dry-run gate against the real API server: a spec the CRD lets through
 * but a child refuses (a field passed through to pods as given) creates
 * nothing on a new bench and changes nothing on a running one; the Degraded
 * condition and one Warning Event carry the server's message; the fixed spec
 * rolls out. Dry runs are counted apart from writes.
 */
import assert from "node:assert/strict";
import { AcceptedChildren } from "../../controllers/dry_run.ts";
import { reconcile } from "../../controllers/reconcile.ts";
import { DRY_RUN_VERBS, WRITE_VERBS } from "../../kube/transport.ts";
import type { KubeObject } from "../../kube/types.ts";
import {
  applyFd,
  childrenOf,
  deployment,
  fdRef,
  idOf,
  keyOf,
  operatorTest,
  reconcileDeps,
  reconcileUntilSteady,
} from "./operator_support.ts";

const BOGUS_AFFINITY = { nodeAffinity: { bogus: true } };
const SOFT_AFFINITY = {
  nodeAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: [{
      weight: 1,
      preference: {
        matchExpressions: [{ key: "kubernetes.io/os", operator: "In", values: ["linux"] }],
      },
    }],
  },
};

const sumOf = (counts: Record<string, number>, verbs: readonly string[]) =>
  verbs.reduce((s, v) => s + (counts[v] ?? 0), 0);

function degradedOf(fd: KubeObject | undefined) {
  return fd?.status?.conditions?.find((c: { type: string }) => c.type === "Degraded");
}

async function warnings(client: Parameters<typeof childrenOf>[0], ns: string) {
  const { items } = await client.list("v1", "Event", { namespace: ns });
  return items.filter((e) => e.involvedObject?.name === "erp" && e.type === "Warning");
}

/** `Kind/name@resourceVersion` of every child, sorted. */
async function versions(client: Parameters<typeof childrenOf>[0], ns: string) {
  return (await childrenOf(client, ns, "erp")).map((c) =>
    `${idOf(c)}@${c.metadata.resourceVersion}`
  )
    .sort();
}

operatorTest(
  "a child the API server refuses: nothing created, Degraded with its message, one Warning; the fix rolls out",
  { namespace: "op-dry-run" },
  async ({ client, transport, ns, t }) => {
    const key = keyOf(ns, "erp");
    const deps = { ...reconcileDeps(client), accepted: new AcceptedChildren() };

    await t.step("a new bench with a bogus affinity: not one child", async () => {
      await applyFd(client, ns, "erp", { affinity: BOGUS_AFFINITY });
      const before = { ...transport.counts() };
      assert.deepEqual(await reconcile(key, deps), {}, "bad input is not retried with backoff");
      const after = transport.counts();
      assert.deepEqual(
        await childrenOf(client, ns, "erp"),
        [],
        "nothing created, not even a Secret",
      );
      assert.equal((after.create ?? 0) - (before.create ?? 0), 0, "no credentials POST");
      assert.ok(sumOf(after, DRY_RUN_VERBS) > sumOf(before, DRY_RUN_VERBS), "dry runs were sent");
      const fd = await client.get(fdRef(ns, "erp"));
      assert.equal(fd!.status.phase, "Degraded");
      const degraded = degradedOf(fd);
      assert.equal(degraded.status, "True");
      assert.equal(degraded.reason, "RejectedByApiServer");
      assert.match(
        degraded.message,
        /^the API server rejected StatefulSet\/erp-mariadb \(dry run; nothing was written\): .*\.spec\.template\.spec\.affinity\.nodeAffinity\.bogus: field not declared in schema/,
      );
      const events = await warnings(client, ns);
      assert.equal(events.length, 1);
      assert.equal(events[0].reason, "RejectedByApiServer");
      assert.equal(events[0].message, degraded.message);

      const writes = transport.writes();
      await reconcile(key, deps);
      assert.equal(transport.writes(), writes, "the same bad spec again writes nothing");
      assert.deepEqual(await childrenOf(client, ns, "erp"), []);
      assert.equal((await warnings(client, ns))[0].count, 1, "no repeated Event");
    });

    await t.step("the fixed spec rolls out", async () => {
      await applyFd(client, ns, "erp", { affinity: SOFT_AFFINITY });
      const fd = await reconcileUntilSteady(key, deps, transport);
      assert.equal(degradedOf(fd).status, "False");
      const gunicorn = await deployment(client, ns, "erp-gunicorn");
      assert.deepEqual(gunicorn!.spec.template.spec.affinity, SOFT_AFFINITY);
    });

    await t.step("a running bench given bad pod annotations: nothing changes", async () => {
      const before = await versions(client, ns);
      const dryRuns = sumOf(transport.counts(), DRY_RUN_VERBS);
      await applyFd(client, ns, "erp", {
        affinity: SOFT_AFFINITY,
        podAnnotations: { "not a/valid key": "x" },
      });
      await reconcile(key, deps);
      const fd = await client.get(fdRef(ns, "erp"));
      assert.equal(degradedOf(fd).reason, "RejectedByApiServer");
      assert.match(
        degradedOf(fd).message,
        /spec\.template\.annotations: Invalid value: "not a\/valid key"/,
      );
      assert.deepEqual(await versions(client, ns), before, "no child written, none pruned");
      const sent = sumOf(transport.counts(), DRY_RUN_VERBS) - dryRuns;
      assert.equal(sent, 1, "unchanged children are not dry-run; the first refusal stops it");
    });

    await t.step(
      "back to the good spec: Ready, and a resync sends neither writes nor dry runs",
      async () => {
        await applyFd(client, ns, "erp", { affinity: SOFT_AFFINITY });
        await reconcileUntilSteady(key, deps, transport);
        const before = { ...transport.counts() };
        for (let i = 0; i < 3; i++) await reconcile(key, deps);
        const after = transport.counts();
        for (const verb of [...WRITE_VERBS, ...DRY_RUN_VERBS]) {
          assert.equal(after[verb] ?? 0, before[verb] ?? 0, `no ${verb} at steady state`);
        }
      },
    );
  },
);
