import assert from "node:assert/strict";
import type { KubeObject } from "../kube/types.ts";
import { reapplies, ReapplySchedule } from "./reapply.ts";

const fd = (uid = "u1", token?: string): KubeObject => ({
  apiVersion: "frappe-op.dev/v1alpha1",
  kind: "FrappeDeployment",
  metadata: {
    name: "erp",
    namespace: "ns",
    uid,
    annotations: token === undefined ? {} : { "frappe-op.dev/reapply": token },
  },
});
const HOUR = 3_600_000;

Deno.test("re-apply: the first sight starts the clock; due once the interval has passed", () => {
  const s = new ReapplySchedule();
  assert.equal(s.due(fd(), 0, HOUR), false, "a restarted operator does not re-apply at once");
  assert.equal(s.due(fd(), HOUR - 1, HOUR), false);
  assert.equal(s.due(fd(), HOUR, HOUR), true);
  assert.equal(s.due(fd(), HOUR + 5, HOUR), true, "due until done");
  s.done(fd(), HOUR + 5);
  assert.equal(s.due(fd(), 2 * HOUR, HOUR), false);
  assert.equal(s.due(fd(), 2 * HOUR + 5, HOUR), true);
  assert.equal(s.due(fd(), 100 * HOUR, 0), false, "interval 0: never");
});

Deno.test("re-apply: a new value of the annotation is due at once; a new uid starts afresh", () => {
  const s = new ReapplySchedule();
  assert.equal(s.due(fd("u1", "a"), 0, 0), false);
  assert.equal(s.due(fd("u1", "a"), 10, 0), false);
  assert.equal(s.due(fd("u1", "b"), 20, 0), true);
  s.done(fd("u1", "b"), 20);
  assert.equal(s.due(fd("u1", "b"), 30, 0), false, "the same value again: nothing");
  assert.equal(s.due(fd("u1"), 40, 0), true, "removing it is a change too");
  assert.equal(s.due(fd("u2", "c"), 50, HOUR), false, "a re-created FrappeDeployment: first sight");
  s.forget("ns/erp");
  assert.equal(s.due(fd("u2", "d"), 60, HOUR), false, "forgotten: first sight again");
});

Deno.test("re-apply: never a Job (immutable) or a PersistentVolumeClaim (a size grown by hand)", () => {
  const of = (kind: string) => ({ apiVersion: "v1", kind, metadata: { name: "x" } });
  assert.equal(reapplies(of("Deployment")), true);
  assert.equal(reapplies(of("ScaledObject")), true);
  assert.equal(reapplies(of("Job")), false);
  assert.equal(reapplies(of("PersistentVolumeClaim")), false);
});
