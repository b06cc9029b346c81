/** Test fixtures: a parsed FrappeDeployment and a deterministic render context. */
import { type FrappeDeployment, parseFrappeDeployment } from "../../apis/frappedeployment.ts";
import type { RenderContext } from "./context.ts";

export function makeFd(
  spec: Record<string, unknown> = {},
  name = "erp",
  namespace = "tenant-a",
): FrappeDeployment {
  const parsed = parseFrappeDeployment({
    apiVersion: "frappe-op.dev/v1alpha1",
    kind: "FrappeDeployment",
    metadata: { name, namespace, uid: "11111111-2222-3333-4444-555555555555", generation: 1 },
    spec: { sites: [{ name: "erp.example.com", apps: ["erpnext"] }], ...spec },
  });
  if (!parsed.ok) throw new Error(`fixture invalid: ${parsed.errors.join("; ")}`);
  return parsed.value;
}

/** Passwords pw-0, pw-1, ... in call order: deterministic across renders. */
export function testCtx(extra: Partial<RenderContext> = {}): RenderContext {
  let n = 0;
  return { kedaAvailable: false, randomPassword: () => `pw-${n++}`, ...extra };
}
