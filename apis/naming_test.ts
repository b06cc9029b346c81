import assert from "node:assert/strict";
import {
  childName,
  defaultBenchId,
  failedKey,
  finishedKey,
  queueKey,
  SCALED_OBJECT_NAME_MAX,
  startedKey,
} from "./naming.ts";

Deno.test("queue keys carry the bench id the way Frappe v14+ names queues", () => {
  const bench = defaultBenchId("tenant-a", "erp");
  assert.equal(bench, "tenant-a.erp");
  assert.equal(queueKey(bench, "short"), "rq:queue:tenant-a.erp:short");
  assert.equal(startedKey(bench, "long"), "rq:wip:tenant-a.erp:long");
  assert.equal(finishedKey(bench, "default"), "rq:finished:tenant-a.erp:default");
  assert.equal(failedKey(bench, "default"), "rq:failed:tenant-a.erp:default");
});

Deno.test("childName keeps short names and truncates long ones with a hash", () => {
  assert.equal(childName(["erp", "worker", "short"]), "erp-worker-short");
  const long = "x".repeat(70);
  const a = childName([long, "worker", "short"]);
  const b = childName([long, "worker", "long"]);
  assert.ok(a.length <= 63 && b.length <= 63);
  assert.notEqual(a, b);
  assert.match(a, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  const so = childName([long, "short"], SCALED_OBJECT_NAME_MAX);
  assert.ok(("keda-hpa-" + so).length <= 63);
});
