/**
 * Drift re-apply against the real API server: hand edits of fields frappe-op
 * sets (a Deployment's image, a ScaledObject's maxReplicaCount and listName)
 * stay while no re-apply is due, and a resync writes nothing; once it is due
 * (the interval, or a new `frappe-op.dev/reapply` value), one reconcile
 * takes them back, leaves KEDA's replica count and every untouched child
 * (same resourceVersion) alone, and never re-applies a Job or a PVC.
 */
import assert from "node:assert/strict";
import { reconcile } from "../../controllers/reconcile.ts";
import { ReapplySchedule } from "../../controllers/reapply.ts";
import { resourceFor, resourcePath } from "../../kube/resources.ts";
import type { KubeObject } from "../../kube/types.ts";
import { kubectlOk } from "../support/cluster.ts";
import {
  applyFd,
  childrenOf,
  deployment,
  IDLE_WORKERS,
  idOf,
  keyOf,
  operatorTest,
  reconcileDeps,
  reconcileUntilSteady,
} from "./operator_support.ts";
import { scaledObject } from "./autoscaling_support.ts";

const HOUR = 3_600_000;
const SPEC = {
  workers: { ...IDLE_WORKERS, short: { autoscaling: { enabled: true, maxReplicas: 4 } } },
};

const pathOf = (o: KubeObject) =>
  resourcePath(resourceFor(o.apiVersion, o.kind), {
    namespace: o.metadata.namespace,
    name: o.metadata.name,
  });
const image = (d: KubeObject | undefined) => d?.spec.template.spec.containers[0].image;

/** `Kind/name` -> resourceVersion of every child. */
async function versions(client: Parameters<typeof childrenOf>[0], ns: string) {
  return new Map(
    (await childrenOf(client, ns, "erp")).map((c) => [idOf(c), c.metadata.resourceVersion]),
  );
}

operatorTest(
  "hand edits stay until the re-apply is due, then one reconcile takes them back",
  { namespace: "op-drift" },
  async ({ client, transport, ns, t }) => {
    const key = keyOf(ns, "erp");
    const base = reconcileDeps(client);
    const deps = {
      ...base,
      options: { ...base.options, reapplyIntervalMs: HOUR },
      reapply: new ReapplySchedule(),
    };
    await applyFd(client, ns, "erp", SPEC);
    await reconcileUntilSteady(key, deps, transport);
    const rendered = image(await deployment(client, ns, "erp-gunicorn"));
    const listName = (await scaledObject(client, ns, "erp-worker-short"))!.spec.triggers[0].metadata
      .listName;

    const edit = async () => {
      await kubectlOk([
        "-n",
        ns,
        "patch",
        "deployment/erp-gunicorn",
        "--type=json",
        "-p",
        '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"example.com/hacked:1"}]',
      ]);
      await kubectlOk([
        "-n",
        ns,
        "patch",
        "scaledobject/erp-worker-short",
        "--type=json",
        "-p",
        '[{"op":"replace","path":"/spec/maxReplicaCount","value":50},' +
        '{"op":"replace","path":"/spec/triggers/0/metadata/listName","value":"rq:queue:elsewhere"}]',
      ]);
    };
    const assertNoWrites = async (what: string) => {
      const writes = transport.writes();
      for (let i = 0; i < 3; i++) await reconcile(key, deps);
      assert.equal(transport.writes(), writes, what);
    };
    const restored = async () => {
      assert.equal(image(await deployment(client, ns, "erp-gunicorn")), rendered);
      const so = (await scaledObject(client, ns, "erp-worker-short"))!;
      assert.equal(so.spec.maxReplicaCount, 4);
      assert.equal(so.spec.triggers[0].metadata.listName, listName);
    };

    await t.step("not due: the edits stay and a resync writes nothing", async () => {
      await edit();
      // What KEDA's HPA does: a re-apply must leave it.
      await kubectlOk(["-n", ns, "scale", "deployment/erp-worker-short", "--replicas=2"]);
      // The hacked pods roll out (status follows), and then a resync writes nothing.
      await reconcileUntilSteady(key, deps, transport);
      await assertNoWrites("a resync that is not due writes nothing");
      assert.equal(image(await deployment(client, ns, "erp-gunicorn")), "example.com/hacked:1");
      assert.equal((await scaledObject(client, ns, "erp-worker-short"))!.spec.maxReplicaCount, 50);
    });

    await t.step("due: one reconcile restores what frappe-op sets, and only that", async () => {
      const before = await versions(client, ns);
      const applied: string[] = [];
      let recording = true;
      transport.observe((verb, req) => {
        const child = !req.path.includes("/events/") && !req.path.endsWith("/status");
        if (recording && verb === "apply" && child) applied.push(req.path);
      });
      deps.options = { ...deps.options, reapplyIntervalMs: 1 };
      await reconcile(key, deps);
      recording = false;
      deps.options = { ...deps.options, reapplyIntervalMs: HOUR };
      await restored();
      const short = (await deployment(client, ns, "erp-worker-short"))!;
      assert.equal(short.spec.replicas, 2, "the autoscaler's replica count is left alone");
      const after = await versions(client, ns);
      const changed = [...after].filter(([id, rv]) => before.get(id) !== rv).map(([id]) => id);
      assert.deepEqual(
        changed.sort(),
        ["Deployment/erp-gunicorn", "ScaledObject/erp-worker-short"],
        "re-applying unchanged content is a no-op: no other resourceVersion moved",
      );
      // Every child but the Jobs and the claims (the sites PVC; the StatefulSets' are not rendered).
      const expected = (await childrenOf(client, ns, "erp"))
        .filter((c) => c.kind !== "Job" && c.kind !== "PersistentVolumeClaim")
        .map((c) => pathOf(c));
      assert.ok(expected.length > 20);
      assert.deepEqual([...new Set(applied)].sort(), expected.sort(), "every child but Jobs, PVCs");
      const { items } = await client.list("v1", "Event", { namespace: ns });
      assert.ok(
        items.some((e) =>
          e.reason === "Applied" &&
          e.message === "configured Deployment/erp-gunicorn, ScaledObject/erp-worker-short"
        ),
        "the Event names what was taken back",
      );
      await reconcileUntilSteady(key, deps, transport);
      await assertNoWrites("done: the next resyncs write nothing");
    });

    await t.step("a new value of frappe-op.dev/reapply re-applies at once", async () => {
      await edit();
      await kubectlOk(["-n", ns, "annotate", "fd/erp", "frappe-op.dev/reapply=1", "--overwrite"]);
      await reconcile(key, deps);
      await restored();
      await reconcileUntilSteady(key, deps, transport);
      await assertNoWrites("the same value again: nothing");
    });
  },
);
