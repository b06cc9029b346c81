import assert from "node:assert/strict";
import {
  applyAutoscalingDefault,
  AUTOSCALING_DEFAULT_ANNOTATION,
  wantsAutoscaling,
} from "./autoscaling_default.ts";
import { type WorkersInput, workersSchema } from "./workers.ts";

function fd(workers: WorkersInput, annotations?: Record<string, string>) {
  return { metadata: { annotations }, spec: { workers: workersSchema.parse(workers) } };
}

const enabled = (f: ReturnType<typeof fd>) => ({
  short: f.spec.workers.short.autoscaling.enabled,
  long: f.spec.workers.long.autoscaling.enabled,
  default: f.spec.workers.default.autoscaling.enabled,
  custom: f.spec.workers.custom.map((c) => c.autoscaling.enabled),
});

Deno.test("on by default: unset short/long/custom become autoscaled, default stays static", () => {
  const input = fd({ custom: [{ name: "reports", timeout: 60 }] });
  const out = applyAutoscalingDefault(input, true);
  assert.deepEqual(enabled(out), { short: true, long: true, default: false, custom: [true] });
  assert.equal(input.spec.workers.short.autoscaling.enabled, undefined, "input not modified");
});

Deno.test("an explicit choice is never overridden, in either direction", () => {
  const out = applyAutoscalingDefault(
    fd({ short: { autoscaling: { enabled: false } }, default: { autoscaling: { enabled: true } } }),
    true,
  );
  assert.deepEqual(enabled(out), { short: false, long: true, default: true, custom: [] });
  const off = applyAutoscalingDefault(fd({ long: { autoscaling: { enabled: true } } }), false);
  assert.deepEqual(enabled(off), { short: false, long: true, default: false, custom: [] });
});

Deno.test("the pinned annotation wins over the operator flag", () => {
  const pinnedOff = fd({}, { [AUTOSCALING_DEFAULT_ANNOTATION]: "false" });
  assert.equal(
    applyAutoscalingDefault(pinnedOff, true).spec.workers.short.autoscaling.enabled,
    false,
  );
  const pinnedOn = fd({}, { [AUTOSCALING_DEFAULT_ANNOTATION]: "true" });
  assert.equal(
    applyAutoscalingDefault(pinnedOn, false).spec.workers.long.autoscaling.enabled,
    true,
  );
});

Deno.test("unset enabled is not autoscaled", () => {
  assert.equal(wantsAutoscaling(fd({}).spec.workers.short), false);
});
