/** Deno.test for an e2e scenario: the stack up, a fresh namespace, no op/resource sanitizers (long-lived clients). */
import { withNamespace } from "../support/cluster.ts";
import { ensureStack } from "./stack.ts";

export function e2eTest(name: string, fn: (namespace: string) => Promise<void>): void {
  Deno.test({
    name: `e2e: ${name}`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      await ensureStack();
      await withNamespace("e2e", fn);
    },
  });
}
