/**
 * `--autoscaling-default`: on for NEW FrappeDeployments only. The reconciler
 * pins the default in an annotation the first time it sees an object; one
 * that already has a status (reconciled before) keeps autoscaling off, and an
 * explicit `enabled: false` is never overridden.
 */
import assert from "node:assert/strict";
import { AUTOSCALING_DEFAULT_ANNOTATION } from "../../apis/autoscaling_default.ts";
import { API_VERSION, KIND } from "../../apis/frappedeployment.ts";
import { reconcile } from "../../controllers/reconcile.ts";
import type { KubeObject } from "../../kube/types.ts";
import { fdRef, frappeDeployment, keyOf, operatorTest, reconcileDeps } from "./operator_support.ts";

const modes = (fd: KubeObject | undefined) =>
  Object.fromEntries(
    (fd?.status?.workers ?? []).map((w: { type: string; mode: string }) => [w.type, w.mode]),
  );

operatorTest(
  "autoscaling default on: new FrappeDeployments are autoscaled, existing ones and explicit false are not",
  { namespace: "as-default", nodeAgent: false },
  async ({ client, ns }) => {
    const deps = reconcileDeps(client);
    deps.options = { ...deps.options, autoscalingDefault: true };
    const apply = (o: KubeObject) => client.apply(o, { fieldManager: "test", force: true });
    const workers = { short: {}, long: { autoscaling: { enabled: false } }, default: {} };
    await apply(frappeDeployment(ns, "fresh", { workers }));
    await apply(frappeDeployment(ns, "existing", { workers }));
    // "existing" was reconciled before, by an operator that did not pin the default.
    await client.applyStatus({
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name: "existing", namespace: ns },
      status: { observedGeneration: 1, phase: "Ready" },
    }, { fieldManager: "old-frappe-op", force: true });

    for (const name of ["fresh", "existing"]) await reconcile(keyOf(ns, name), deps);

    const fresh = await client.get(fdRef(ns, "fresh"));
    assert.equal(fresh?.metadata.annotations?.[AUTOSCALING_DEFAULT_ANNOTATION], "true");
    assert.deepEqual(modes(fresh), { short: "autoscaled", long: "static", default: "static" });
    const existing = await client.get(fdRef(ns, "existing"));
    assert.equal(existing?.metadata.annotations?.[AUTOSCALING_DEFAULT_ANNOTATION], "false");
    assert.deepEqual(modes(existing), { short: "static", long: "static", default: "static" });

    // The pin holds when the operator's flag changes later.
    deps.options = { ...deps.options, autoscalingDefault: false };
    await reconcile(keyOf(ns, "fresh"), deps);
    assert.deepEqual(modes(await client.get(fdRef(ns, "fresh"))).short, "autoscaled");
  },
);
