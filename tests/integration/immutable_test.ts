/**
 * Fields a live volume can no longer change, asked for in a spec the CRD
 * cannot check them in: the operator keeps them as they are live, says so
 * once in a Warning Event, and the rest of the change still rolls out
 * (without it, the StatefulSet or claim update is refused on every
 * reconcile and blocks every later change).
 */
import assert from "node:assert/strict";
import { AcceptedChildren } from "../../controllers/dry_run.ts";
import { reconcile } from "../../controllers/reconcile.ts";
import {
  applyFd,
  deployment,
  fdRef,
  getObject,
  keyOf,
  operatorTest,
  reconcileDeps,
  reconcileUntilSteady,
} from "./operator_support.ts";

async function keptEvents(client: Parameters<typeof reconcileDeps>[0], ns: string) {
  const { items } = await client.list("v1", "Event", { namespace: ns });
  return items.filter((e) => e.reason === "ImmutableFieldKept");
}

operatorTest(
  "volume fields that cannot change are kept live, said once, and the rest rolls out",
  { namespace: "op-immutable" },
  async ({ client, transport, ns, t }) => {
    const key = keyOf(ns, "erp");
    const deps = { ...reconcileDeps(client), accepted: new AcceptedChildren() };
    await applyFd(client, ns, "erp", { storage: { size: "2Gi" } });
    await reconcileUntilSteady(key, deps, transport);

    await t.step("a database block added later with another size and class", async () => {
      await applyFd(client, ns, "erp", {
        storage: { size: "2Gi" },
        database: { managed: { storageSize: "20Gi", storageClassName: "fast" } },
        podAnnotations: { "example.com/rev": "2" },
      });
      const fd = await reconcileUntilSteady(key, deps, transport);
      const degraded = fd.status.conditions.find((c: { type: string }) => c.type === "Degraded");
      assert.equal(degraded.status, "False", degraded.message);
      const sts = await getObject(client, "apps/v1", "StatefulSet", ns, "erp-mariadb");
      const template = sts!.spec.volumeClaimTemplates[0].spec;
      assert.equal(template.resources.requests.storage, "10Gi");
      assert.equal(template.storageClassName, undefined);
      const gunicorn = await deployment(client, ns, "erp-gunicorn");
      assert.equal(gunicorn!.spec.template.metadata.annotations["example.com/rev"], "2");
      const messages = (await keptEvents(client, ns)).map((e) => e.message).sort();
      assert.deepEqual(messages, [
        "StatefulSet/erp-mariadb: volume data: kept size 10Gi (the spec asks 20Gi; a " +
        "StatefulSet's volumeClaimTemplates cannot change: resize its claims by hand)",
        "StatefulSet/erp-mariadb: volume data: kept storageClassName (none) (the spec asks fast)",
      ]);
    });

    await t.step(
      "the sites volume asked smaller than it is: kept, the change rolls out",
      async () => {
        await applyFd(client, ns, "erp", {
          storage: { size: "1Gi" },
          database: { managed: { storageSize: "20Gi", storageClassName: "fast" } },
          podAnnotations: { "example.com/rev": "3" },
        });
        await reconcileUntilSteady(key, deps, transport);
        const claim = await getObject(client, "v1", "PersistentVolumeClaim", ns, "erp-sites");
        assert.equal(claim!.spec.resources.requests.storage, "2Gi");
        const gunicorn = await deployment(client, ns, "erp-gunicorn");
        assert.equal(gunicorn!.spec.template.metadata.annotations["example.com/rev"], "3");
        const shrink = (await keptEvents(client, ns)).filter((e) => /erp-sites/.test(e.message));
        assert.equal(shrink.length, 1);
        assert.equal(
          shrink[0].message,
          "PersistentVolumeClaim/erp-sites: kept size 2Gi, larger than the spec's 1Gi " +
            "(a volume does not shrink)",
        );
      },
    );

    await t.step("later reconciles repeat no Event and write nothing", async () => {
      const before = await keptEvents(client, ns);
      const writes = transport.writes();
      for (let i = 0; i < 3; i++) await reconcile(key, deps);
      assert.equal(transport.writes(), writes);
      const after = await keptEvents(client, ns);
      assert.deepEqual(after.map((e) => e.count), before.map((e) => e.count));
      assert.equal((await client.get(fdRef(ns, "erp")))!.status.phase, "Ready");
    });
  },
);
