import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { manifestFiles, OPERATOR_IMAGE } from "../apis/manifests.ts";
import type { KubeObject } from "../kube/types.ts";
import { captureIo } from "./io.ts";
import { manifests } from "./manifests.ts";

function objects(yamlText: string): KubeObject[] {
  return parseAllDocuments(yamlText).map((d) => d.toJS()).filter((o) => o !== null);
}

async function run(args: string[]) {
  const io = captureIo();
  const code = await manifests(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const id = (o: KubeObject) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

Deno.test("manifests: the same objects as the checked-in manifests/ (kustomization), Namespace first", async () => {
  const r = await run([]);
  assert.equal(r.code, 0, r.err);
  const printed = objects(r.out);
  const files = manifestFiles();
  const kustomization = objects(files["kustomization.yaml"])[0] as unknown as {
    resources: string[];
  };
  const installed = kustomization.resources.flatMap((path) => objects(files[path]));
  assert.deepEqual(
    [...printed].sort((a, b) => id(a).localeCompare(id(b))),
    [...installed].sort((a, b) => id(a).localeCompare(id(b))),
  );
  assert.equal(printed[0].kind, "Namespace");
  assert.deepEqual(
    printed.map((o) => o.kind).sort(),
    [
      "ClusterRole",
      "ClusterRoleBinding",
      "CustomResourceDefinition",
      "Deployment",
      "Namespace",
      "Role",
      "RoleBinding",
      "ServiceAccount",
    ],
  );
});

Deno.test("manifests: --image overrides the operator image and nothing else", async () => {
  const plain = objects((await run([])).out);
  const custom = objects((await run(["--image", "registry.local/frappe-op:dev"])).out);
  const image = (objs: KubeObject[]) =>
    objs.find((o) => o.kind === "Deployment")?.spec.template.spec.containers[0].image;
  assert.equal(image(plain), OPERATOR_IMAGE);
  assert.equal(image(custom), "registry.local/frappe-op:dev");
  assert.deepEqual(
    custom.filter((o) => o.kind !== "Deployment"),
    plain.filter((o) => o.kind !== "Deployment"),
  );
});

Deno.test("manifests: bad flags exit 2, --help exits 0", async () => {
  assert.equal((await run(["--image"])).code, 2);
  assert.equal((await run(["--image", "has space"])).code, 2);
  assert.equal((await run(["--nope"])).code, 2);
  assert.equal((await run(["extra"])).code, 2);
  const help = await run(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.out, /kubectl apply --server-side -f -/);
});
