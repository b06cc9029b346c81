import assert from "node:assert/strict";
import { nextStatus, type Observation, RecentStatus, statusEqual } from "./status.ts";

const obs = (ready: boolean, message = "m"): Observation => ({
  phase: ready ? "Ready" : "Progressing",
  conditions: [
    { type: "Ready", status: ready ? "True" : "False", reason: "R", message },
    { type: "Degraded", status: "False", reason: "Reconciled", message: "no failures" },
  ],
  benchId: "ns.erp",
  workers: [],
});

Deno.test("lastTransitionTime changes only when a condition's status flips", () => {
  const first = nextStatus(undefined, obs(false), 1, "t1");
  assert.equal(first.conditions![0].lastTransitionTime, "t1");
  const sameStatus = nextStatus(first, obs(false, "other message"), 2, "t2");
  assert.equal(sameStatus.conditions![0].lastTransitionTime, "t1", "message change only");
  assert.equal(sameStatus.conditions![0].observedGeneration, 2);
  const flipped = nextStatus(sameStatus, obs(true), 2, "t3");
  assert.equal(flipped.conditions![0].lastTransitionTime, "t3");
  assert.equal(flipped.conditions![1].lastTransitionTime, "t1", "Degraded did not flip");
});

Deno.test("an unchanged observation yields an equal status: nothing to write", () => {
  const a = nextStatus(undefined, obs(true), 3, "t1");
  const b = nextStatus(a, obs(true), 3, "t9");
  assert.ok(statusEqual(a, b));
  assert.ok(!statusEqual(a, nextStatus(a, obs(true), 4, "t9")), "new generation is a change");
});

Deno.test("fields and conditions the observation leaves out are kept", () => {
  const full = nextStatus(
    undefined,
    {
      ...obs(true),
      conditions: [...obs(true).conditions, {
        type: "KedaAvailable",
        status: "True",
        reason: "KedaInstalled",
        message: "",
      }],
      imageMigrated: "img:1",
    },
    1,
    "t1",
  );
  const failed = nextStatus(
    full,
    {
      phase: "Degraded",
      conditions: [{ type: "Degraded", status: "True", reason: "InvalidSpec", message: "bad" }],
    },
    2,
    "t2",
  );
  assert.equal(failed.imageMigrated, "img:1");
  assert.equal(failed.benchId, "ns.erp");
  assert.deepEqual(failed.conditions!.map((c) => c.type), ["Degraded", "Ready", "KedaAvailable"]);
});

Deno.test("RecentStatus answers only while the cache shows the version written over", () => {
  const memo = new RecentStatus();
  const fd = (rv: string) => ({
    apiVersion: "frappe-op.dev/v1alpha1",
    kind: "FrappeDeployment",
    metadata: { name: "erp", uid: "u1", resourceVersion: rv },
  });
  const written = nextStatus(undefined, obs(true), 1, "t1");
  memo.remember(fd("10"), written);
  assert.equal(memo.recall(fd("10")), written, "cache still at 10: the server has ours");
  assert.equal(memo.recall(fd("11")), undefined, "cache caught up");
  assert.equal(memo.recall(fd("10")), undefined, "forgotten once caught up");
});
