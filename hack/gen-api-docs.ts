/**
 * Writes docs/api.md (the FrappeDeployment field reference) from the CRD
 * schema in apis/. `make manifests` runs it after hack/gen-manifests.ts.
 *
 *   deno run --allow-read=. --allow-write=docs hack/gen-api-docs.ts [--check]
 *
 * --check writes nothing and exits 1 when docs/api.md is stale.
 */
import { API_DOCS_PATH, apiDocs } from "../apis/api_docs.ts";

const url = new URL(`../${API_DOCS_PATH}`, import.meta.url);

async function main(check: boolean): Promise<number> {
  const want = apiDocs();
  let have = "";
  try {
    have = await Deno.readTextFile(url);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  if (have === want) return 0;
  if (check) {
    console.error(`stale: ${API_DOCS_PATH} (run: make manifests)`);
    return 1;
  }
  await Deno.writeTextFile(url, want);
  console.log(`wrote ${API_DOCS_PATH}`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args.includes("--check")));
