import assert from "node:assert/strict";
import { API_DOCS_PATH, apiDocs } from "./api_docs.ts";

Deno.test("docs/api.md matches the CRD schema (run make manifests)", async () => {
  const onDisk = await Deno.readTextFile(new URL(`../${API_DOCS_PATH}`, import.meta.url));
  assert.ok(onDisk === apiDocs(), `stale: ${API_DOCS_PATH}; run make manifests`);
});

Deno.test("api docs: every spec field has a description and a row", () => {
  const docs = apiDocs();
  const rows = docs.split("\n").filter((l) => l.startsWith("| `"));
  assert.ok(rows.length > 100, `only ${rows.length} rows`);
  const description = (row: string) => row.split(" | ").at(-1)!.replace(/\([^)]*\)/g, "");
  const undocumented = rows.filter((r) => description(r).replace(/[\s|]/g, "") === "");
  assert.deepEqual(undocumented, []);
  for (const field of ["autoscaling", "queueLength", "cooldownPeriod", "existingClaim"]) {
    assert.match(docs, new RegExp(`\\| \`${field}\``));
  }
  assert.match(docs, /minReplicas must be <= maxReplicas/);
});
