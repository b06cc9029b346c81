import assert from "node:assert/strict";
import { nextStatus, type Observation, statusEqual } from "./status.ts";

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
