/**
 * Bad input: the API server rejects what the CRD schema can express, with the
 * schema's messages; what reaches the reconciler invalid becomes a Degraded
 * condition with the message and one Warning Event, and creates nothing.
 */
import assert from "node:assert/strict";
import type { KubeObject } from "../../kube/types.ts";
import { reconcile } from "../../controllers/reconcile.ts";
import { KubeEventRecorder } from "../../controllers/events.ts";
import { realClock } from "../../kube/clock.ts";
import { nullLogger } from "../../kube/log.ts";
import {
  applyFd,
  childrenOf,
  fdRef,
  frappeDeployment,
  IDLE_WORKERS,
  keyOf,
  operatorTest,
  reconcileDeps,
  rejection,
} from "./operator_support.ts";

operatorTest("the API server rejects invalid FrappeDeployments with clear messages", {
  namespace: "op-invalid",
  nodeAgent: false,
}, async ({ client, ns }) => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["min > max", {
      workers: {
        ...IDLE_WORKERS,
        short: { autoscaling: { minReplicas: 5, maxReplicas: 2 } },
      },
    }, /minReplicas must be <= maxReplicas/],
    ["bench id with ':'", { benchId: "a:b" }, /spec\.benchId/],
    ["external redis url with a non-numeric db", {
      redis: { queue: { external: { url: "redis://q:6379/abc" } } },
    }, /spec\.redis\.queue\.external\.url/],
    ["undeclared queue", {
      workers: { ...IDLE_WORKERS, short: { queues: ["nope"] } },
    }, /serves an undeclared queue/],
    ["default worker scaled to zero", {
      workers: {
        ...IDLE_WORKERS,
        default: { autoscaling: { enabled: true, minReplicas: 0 } },
      },
    }, /default worker: autoscaling.minReplicas must be >= 1/],
    [
      "unknown deletion policy",
      { deletionPolicy: "Orphan" },
      /spec\.deletionPolicy.*"Retain", "Delete"/,
    ],
  ];
  const digit = await rejection(() => applyFd(client, ns, "1erp"));
  assert.equal(digit.status, 422, "name starting with a digit");
  assert.match(digit.serverMessage, /metadata\.name must start with a letter/);
  for (const [what, spec, message] of cases) {
    const err = await rejection(() => applyFd(client, ns, "bad", spec));
    assert.equal(err.status, 422, what);
    assert.match(err.serverMessage, message, what);
  }
});

operatorTest("benchId cannot be set, changed or removed once the FrappeDeployment exists", {
  namespace: "op-benchid",
  nodeAgent: false,
}, async ({ client, ns }) => {
  const apply = (name: string, spec: Record<string, unknown>) => applyFd(client, ns, name, spec);
  await apply("plain", {});
  const added = await rejection(() => apply("plain", { benchId: "other" }));
  assert.equal(added.status, 422);
  assert.match(added.serverMessage, /benchId cannot be added or removed/);
  await apply("pinned", { benchId: "pinned-bench" });
  const changed = await rejection(() => apply("pinned", { benchId: "other" }));
  assert.match(changed.serverMessage, /benchId is immutable/);
  const removed = await rejection(() => apply("pinned", {}));
  assert.match(removed.serverMessage, /benchId cannot be added or removed/);
  await apply("pinned", { benchId: "pinned-bench", image: "frappe/erpnext:v15.106.0" });
});

operatorTest(
  "an invalid spec the reconciler sees becomes Degraded plus one Warning Event, and nothing else",
  { namespace: "op-degraded", nodeAgent: false },
  async ({ client, transport, ns }) => {
    await applyFd(client, ns, "erp");
    const deps = reconcileDeps(client);
    // What an older CRD (or a disabled validation) could let through: the reader hands
    // reconcile a spec the schema forbids; status and events go to the real object.
    const reader = deps.reader;
    deps.reader = {
      ...reader,
      get: async (ref) => {
        const obj = await reader.get(ref);
        if (!obj || ref.kind !== "FrappeDeployment") {
          return obj;
        }
        return { ...obj, spec: { ...obj.spec, benchId: "has:colon" } } as KubeObject;
      },
    };
    const result = await reconcile(keyOf(ns, "erp"), deps);
    assert.deepEqual(result, {}, "bad input is not retried with backoff");
    const fd = await client.get(fdRef(ns, "erp"));
    assert.equal(fd!.status.phase, "Degraded");
    const degraded = fd!.status.conditions.find((c: { type: string }) => c.type === "Degraded");
    assert.equal(degraded.status, "True");
    assert.equal(degraded.reason, "InvalidSpec");
    assert.match(degraded.message, /^invalid spec: spec\.benchId: /);
    assert.deepEqual(await childrenOf(client, ns, "erp"), [], "nothing created");
    const writes = transport.writes();
    await reconcile(keyOf(ns, "erp"), deps);
    assert.equal(transport.writes(), writes, "the same bad spec again writes nothing");
    const { items } = await client.list("v1", "Event", { namespace: ns });
    const warnings = items.filter((e) => e.involvedObject?.name === "erp" && e.type === "Warning");
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].reason, "InvalidSpec");
    assert.equal(warnings[0].count, 1);
    assert.match(warnings[0].message, /spec\.benchId/);
    // The same reason and message again: the Event's count goes up, no new Event.
    const fresh = new KubeEventRecorder(client, realClock, nullLogger);
    await fresh.record(fd!, "Warning", warnings[0].reason, warnings[0].message);
    const again = (await client.list("v1", "Event", { namespace: ns })).items
      .filter((e) => e.involvedObject?.name === "erp" && e.type === "Warning");
    assert.equal(again.length, 1);
    assert.equal(again[0].count, 2, "a restarted recorder continues the count");
  },
);

operatorTest("managed <-> external switches with a plain apply, client- or server-side", {
  namespace: "val-switch",
  nodeAgent: false,
}, async ({ client, ns }) => {
  const external = {
    database: { external: { host: "db.example.com", credentialsSecretRef: { name: "db" } } },
    redis: { queue: { external: { url: "redis://redis.example.com:6379/0" } } },
  };
  const stored = async () => (await client.get(fdRef(ns, "erp")))!.spec;
  // Server-side apply, one field manager, as `kubectl apply --server-side` does.
  const apply = (spec: Record<string, unknown>) =>
    client.apply(frappeDeployment(ns, "erp", spec), { fieldManager: "user", force: true });
  await apply({});
  assert.equal((await stored()).database, undefined, "the API server stores no managed default");
  await apply(external);
  assert.equal((await stored()).database.managed, undefined);
  assert.equal((await stored()).redis.queue.external.url, "redis://redis.example.com:6379/0");
  await apply({ database: { managed: {} } });
  assert.equal((await stored()).database.external, undefined);
  assert.equal((await stored()).database.managed.image, "mariadb:10.6");
  assert.equal((await stored()).redis.queue, undefined);
  // A merge patch, as a client-side `kubectl apply` of a file that adds `external` sends.
  const live = await client.get(fdRef(ns, "erp"));
  const { managed: _, ...database } = { ...live!.spec.database, ...external.database };
  await client.replace({ ...live!, spec: { ...live!.spec, database } }, { fieldManager: "user" });
  assert.equal((await stored()).database.external.host, "db.example.com");
});
