import assert from "node:assert";
import { descendants, parsePsTable } from "./proctree.ts";

Deno.test("ps output parses into pid -> ppid", () => {
  const table = parsePsTable("    1     0\n  42     1\n\n 43    42\ngarbage\n");
  assert.deepStrictEqual([...table], [[1, 0], [42, 1], [43, 42]]);
});

Deno.test("descendants are found recursively, across sessions, never the root", () => {
  // 10 = RQ worker; 11 = its work horse (own session); 12 = what the job ran; 13 = its child.
  const table = new Map([[1, 0], [10, 1], [11, 10], [12, 11], [13, 12], [20, 1], [21, 20]]);
  assert.deepStrictEqual(descendants(table, 10).sort(), [11, 12, 13]);
  assert.deepStrictEqual(descendants(table, 13), []);
  assert.deepStrictEqual(descendants(new Map([[5, 5]]), 5), [], "a self-parent is no loop");
});
