/**
 * The checked-in manifests against the real API server:
 *
 * - every file in manifests/samples/ is accepted with the installed
 *   FrappeDeployment CRD: each document goes through
 *   `kubectl apply --dry-run=server --validate=strict` (decoded, defaulted,
 *   CEL rules and admission run, stored nowhere), with its namespace rewritten
 *   to the test's namespace, so nothing the sample names (its namespace,
 *   Secrets, ServiceAccount, StorageClasses) has to exist; a Namespace
 *   document is dry-run as it is;
 * - `kubectl kustomize manifests/` (the pinned kubectl, as README's
 *   `kubectl apply -k manifests/` builds it) gives exactly the objects
 *   `frappe-op manifests` prints.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { KIND } from "../../apis/frappedeployment.ts";
import { captureIo } from "../../cli/io.ts";
import { manifests } from "../../cli/manifests.ts";
import type { KubeObject } from "../../kube/types.ts";
import { ensureCluster, kubectl, kubectlOk, REPO_ROOT } from "../support/cluster.ts";
import { operatorTest } from "./operator_support.ts";

const SAMPLES = join(REPO_ROOT, "manifests", "samples");

function objects(yamlText: string): KubeObject[] {
  return parseAllDocuments(yamlText).map((d) => d.toJS()).filter((o) => o !== null);
}

const id = (o: KubeObject) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

async function sampleFiles(): Promise<string[]> {
  const files: string[] = [];
  for await (const e of Deno.readDir(SAMPLES)) {
    if (e.isFile && /\.ya?ml$/.test(e.name)) files.push(e.name);
  }
  return files.sort();
}

/** The document with its namespace (if it has one) replaced by `ns`. */
function inNamespace(obj: KubeObject, ns: string): KubeObject {
  if (obj.metadata.namespace === undefined) return obj;
  return { ...obj, metadata: { ...obj.metadata, namespace: ns } };
}

operatorTest(
  "samples: every file in manifests/samples/ is accepted by the API server (server dry run)",
  { namespace: "samples", nodeAgent: false },
  async ({ ns, t }) => {
    const files = await sampleFiles();
    for (const expected of ["demo.yaml", "full.yaml", "minimal.yaml"]) {
      assert.ok(files.includes(expected), `manifests/samples/${expected} is missing`);
    }
    for (const file of files) {
      await t.step(file, async () => {
        const docs = objects(await Deno.readTextFile(join(SAMPLES, file)));
        assert.ok(docs.some((o) => o.kind === KIND), `${file} holds no ${KIND}`);
        for (const doc of docs) {
          const r = await kubectl(
            ["apply", "--dry-run=server", "--validate=strict", "-n", ns, "-f", "-"],
            JSON.stringify(inNamespace(doc, ns)),
          );
          assert.equal(r.code, 0, `${file}: ${doc.kind}/${doc.metadata.name}: ${r.stderr}`);
          assert.match(r.stdout, /\(server dry run\)/, r.stdout);
        }
      });
    }
    // Dry runs store nothing.
    const left = await kubectlOk(["get", "frappedeployments", "-n", ns, "-o", "name"]);
    assert.equal(left.trim(), "");
  },
);

Deno.test("samples: kubectl kustomize manifests/ builds what frappe-op manifests prints", async () => {
  await ensureCluster(); // the pinned kubectl lives in the cluster directory
  const built = objects(await kubectlOk(["kustomize", join(REPO_ROOT, "manifests")]));
  const io = captureIo();
  assert.equal(await manifests([], io), 0, io.stderr());
  const printed = objects(io.stdout());
  const ids = (list: KubeObject[]) => list.map(id).sort();
  assert.deepEqual(ids(built), ids(printed));
  const byId = new Map(printed.map((o) => [id(o), o]));
  for (const o of built) assert.deepEqual(o, byId.get(id(o)), id(o));
});
