import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../kube/types.ts";
import { PHASES } from "../controllers/render/mod.ts";
import { captureIo } from "./io.ts";
import { render } from "./render.ts";
import { PLACEHOLDER_PASSWORD, PLACEHOLDER_UID } from "./render_output.ts";

const SAMPLES = new URL("../manifests/samples/", import.meta.url);
const sample = (name: string) => new URL(name, SAMPLES).pathname;

function objects(yamlText: string): KubeObject[] {
  return parseAllDocuments(yamlText).map((d) => d.toJS()).filter((o) => o !== null);
}

async function run(args: string[], stdin?: string, files?: Record<string, string>) {
  const io = captureIo({ stdin, files });
  const code = await render(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const FD = (spec: string, meta = "{name: erp}") =>
  `apiVersion: frappe-op.dev/v1alpha1\nkind: FrappeDeployment\nmetadata: ${meta}\nspec:\n${spec}`;

for (const name of ["minimal.yaml", "full.yaml", "demo.yaml"]) {
  Deno.test(`render: samples/${name} renders every phase in rollout order`, async () => {
    const r = await run(["-f", sample(name)]);
    assert.equal(r.code, 0, r.err);
    const order = [...r.out.matchAll(/^# phase: (\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(order, [...PHASES]);
    const objs = objects(r.out);
    assert.ok(objs.length > 10);
    for (const o of objs) {
      // deletionPolicy Retain (the samples' default): the data has no owner.
      const retained = o.metadata.name.endsWith("-credentials") ||
        o.kind === "PersistentVolumeClaim";
      const owner = o.metadata.ownerReferences?.[0]?.uid;
      assert.equal(owner, retained ? undefined : PLACEHOLDER_UID, o.metadata.name);
      assert.equal(o.metadata.labels?.["app.kubernetes.io/managed-by"], "frappe-op");
    }
    assert.match(r.out, new RegExp(`placeholder uid ${PLACEHOLDER_UID}`));
  });
}

Deno.test("render: demo sample skips its Namespace and autoscales short and long", async () => {
  const r = await run(["-f", sample("demo.yaml")]);
  assert.equal(r.code, 0);
  assert.match(r.err, /skipping v1 Namespace demo: not a FrappeDeployment/);
  const scaled = objects(r.out).filter((o) => o.kind === "ScaledObject");
  assert.deepEqual(scaled.map((o) => o.metadata.name), ["acme-worker-short", "acme-worker-long"]);
  assert.match(
    r.out,
    /# workers: short autoscaled 0\.\.5, long autoscaled 0\.\.2, default static 1/,
  );
});

Deno.test("render: --keda=false falls back to static workers without ScaledObjects", async () => {
  const r = await run(["-f", sample("demo.yaml"), "--keda=false"]);
  assert.equal(r.code, 0);
  const objs = objects(r.out);
  assert.equal(objs.filter((o) => o.kind === "ScaledObject").length, 0);
  const short = objs.find((o) => o.metadata.name === "acme-worker-short");
  assert.equal(short?.spec.replicas, 1);
  assert.match(r.out, /short static-fallback 1/);
});

Deno.test("render: generated secrets are placeholders, never random values", async () => {
  const a = await run(["-f", sample("minimal.yaml")]);
  const b = await run(["-f", sample("minimal.yaml")]);
  assert.equal(a.out, b.out, "render is deterministic");
  const creds = objects(a.out).find((o) => o.metadata.name === "erp-credentials");
  assert.equal(creds?.data, undefined);
  for (const v of Object.values(creds?.stringData ?? {})) assert.equal(v, PLACEHOLDER_PASSWORD);
  const config = objects(a.out).find((o) => o.metadata.name === "erp-config");
  assert.match(config?.stringData["common_site_config.json"], /GENERATED-BY-OPERATOR@erp-redis/);
});

Deno.test("render: stdin, JSON, --namespace and several FrappeDeployments", async () => {
  const json = JSON.stringify({
    apiVersion: "frappe-op.dev/v1alpha1",
    kind: "FrappeDeployment",
    metadata: { name: "one" },
    spec: {},
  });
  const r = await run(["-f", "-", "-n", "shop"], `${json}\n---\n${FD("  {}", "{name: two}")}`);
  assert.equal(r.code, 0, r.err);
  const objs = objects(r.out);
  assert.ok(objs.every((o) => o.metadata.namespace === "shop"));
  assert.ok(objs.some((o) => o.metadata.name === "one-worker-short"));
  assert.ok(objs.some((o) => o.metadata.name === "two-worker-short"));
  assert.equal(r.out.match(/^# phase: config$/gm)?.length, 2);
});

Deno.test("render: schema violations exit 1 with the field path, stdout empty", async () => {
  const bad = FD(
    "  workers:\n    short:\n      autoscaling: {minReplicas: 5, maxReplicas: 2}\n" +
      "  database: {managed: {}, external: {host: db, credentialsSecretRef: {name: db}}}\n",
  );
  const r = await run(["-f", "bad.yaml"], undefined, { "bad.yaml": bad });
  assert.equal(r.code, 1);
  assert.equal(r.out, "");
  assert.match(
    r.err,
    /bad\.yaml \(FrappeDeployment erp\): spec\.workers\.short\.autoscaling\.minReplicas: minReplicas must be <= maxReplicas/,
  );
  assert.match(r.err, /spec\.database: set exactly one of managed or external/);
});

Deno.test("render: unknown fields (typos) exit 1 naming each path, as the API server refuses them", async () => {
  const typo = FD(
    "  bogus: 1\n  workers:\n    short: {autoscalling: {enabled: true}}\n" +
      "  scheduler: {replicas: 3}\n  nodeSelector: {any-key: ok}\n",
  );
  const r = await run(["-f", "typo.yaml"], undefined, { "typo.yaml": typo });
  assert.equal(r.code, 1);
  assert.equal(r.out, "");
  const lines = r.err.trim().split("\n").map((l) => l.replace(/^frappe-op render: /, ""));
  assert.deepEqual(lines, [
    "typo.yaml (FrappeDeployment erp): spec.bogus: unknown field (the API server refuses it)",
    "typo.yaml (FrappeDeployment erp): spec.workers.short.autoscalling: unknown field (the API server refuses it)",
    "typo.yaml (FrappeDeployment erp): spec.scheduler.replicas: unknown field (the API server refuses it)",
  ]);
});

Deno.test("render: unreadable file, bad YAML, other kinds, empty input exit 1", async () => {
  const missing = await run(["-f", "/nonexistent/fd.yaml"]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /cannot read \/nonexistent\/fd\.yaml: no such file/);

  const yaml = await run(["-f", "-"], "kind: FrappeDeployment\nmetadata: {name: [x\n");
  assert.equal(yaml.code, 1);
  assert.match(yaml.err, /<stdin>: document 1: .*line/);

  const deploy = await run(
    ["-f", "-"],
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n",
  );
  assert.equal(deploy.code, 1);
  assert.match(deploy.err, /no FrappeDeployment \(frappe-op\.dev\/v1alpha1\) in the file/);

  const wrongVersion = await run(["-f", "-"], FD("  {}").replace("v1alpha1", "v1"));
  assert.equal(wrongVersion.code, 1);
  assert.match(wrongVersion.err, /apiVersion: must be frappe-op\.dev\/v1alpha1/);

  const scalar = await run(["-f", "-"], "just text\n");
  assert.equal(scalar.code, 1);
  assert.match(scalar.err, /not a Kubernetes object/);

  const empty = await run(["-f", "-"], "# nothing\n");
  assert.equal(empty.code, 1);
  assert.match(empty.err, /no documents/);

  // Each level repeats the previous one 10 times: 10^8 items once expanded.
  const levels = "abcdefgh".split("").map((c, i, all) =>
    i === 0 ? `${c}: &${c} [x,x,x,x,x,x,x,x,x,x]` : `${c}: &${c} [${`*${all[i - 1]},`.repeat(10)}]`
  );
  const bomb = await run(["-f", "-"], `${levels.join("\n")}\n${FD("  {}")}`);
  assert.equal(bomb.code, 1);
  assert.match(bomb.err, /^frappe-op render: <stdin>: document 1: Excessive alias count/);

  const twice = await run(["-f", "-"], `${FD("  {}")}\n---\n${FD("  {}")}`);
  assert.equal(twice.code, 1);
  assert.match(twice.err, /FrappeDeployment default\/erp appears twice/);
});

Deno.test("render: bad flags exit 2", async () => {
  assert.equal((await run([])).code, 2);
  assert.equal((await run(["-f", "x", "--kedaa"])).code, 2);
  assert.equal((await run(["-f", "x", "--keda=maybe"])).code, 2);
  assert.equal((await run(["-f", "x", "extra"])).code, 2);
  const help = await run(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.out, /--keda=true\|false/);
});
