/**
 * Writes manifests/ from apis/ (CRD, RBAC, operator Deployment, kustomization, samples).
 *
 *   deno run --allow-read=. --allow-write=manifests hack/gen-manifests.ts [--check]
 *
 * --check writes nothing and exits 1 when a file is missing or stale.
 */
import { manifestFiles } from "../apis/manifests.ts";

const ROOT = new URL("../manifests/", import.meta.url);

async function readOrEmpty(url: URL): Promise<string> {
  try {
    return await Deno.readTextFile(url);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return "";
    throw new Error(`cannot read ${url.pathname}`, { cause: err });
  }
}

async function main(check: boolean): Promise<number> {
  let stale = 0;
  for (const [path, content] of Object.entries(manifestFiles())) {
    const url = new URL(path, ROOT);
    if ((await readOrEmpty(url)) === content) continue;
    stale++;
    if (check) {
      console.error(`stale: manifests/${path}`);
      continue;
    }
    await Deno.mkdir(new URL(".", url), { recursive: true });
    await Deno.writeTextFile(url, content);
    console.log(`wrote manifests/${path}`);
  }
  if (check && stale > 0) {
    console.error("run: deno run --allow-read=. --allow-write=manifests hack/gen-manifests.ts");
    return 1;
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args.includes("--check")));
