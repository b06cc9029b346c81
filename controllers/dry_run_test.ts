import assert from "node:assert/strict";
import { KubeClient } from "../kube/client.ts";
import { apiErrorFrom } from "../kube/errors.ts";
import { nullLogger } from "../kube/log.ts";
import { CountingTransport, type KubeRequest, type Transport } from "../kube/transport.ts";
import type { KubeObject } from "../kube/types.ts";
import type { ReconcileDeps } from "./deps.ts";
import { AcceptedChildren, dryRunGate, isRefusal } from "./dry_run.ts";
import { withAppliedHash } from "./hash.ts";
import type { RenderPhase } from "./render/mod.ts";
import { StepError } from "./steps.ts";

const fd: KubeObject = {
  apiVersion: "frappe-op.dev/v1alpha1",
  kind: "FrappeDeployment",
  metadata: { name: "erp", namespace: "ns", uid: "u1" },
};
const obj = (apiVersion: string, kind: string, name: string, spec = {}): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace: "ns" },
  spec,
});
const secret = obj("v1", "Secret", "erp-config");
const sts = obj("apps/v1", "StatefulSet", "erp-mariadb", { replicas: 1 });
const job = obj("batch/v1", "Job", "erp-configure-abc");
const so = obj("keda.sh/v1alpha1", "ScaledObject", "erp-worker-short");
const phases: RenderPhase[] = [
  { phase: "config", objects: [secret] },
  { phase: "data", objects: [sts] },
  { phase: "configure", objects: [job] },
  { phase: "apps", objects: [so] },
] as RenderPhase[];

/** A FAKE API server: answers `fail(req)` or `{}`, and keeps what it was sent. */
function fakeDeps(
  live: KubeObject[],
  fail: (r: KubeRequest) => Error | undefined = () => undefined,
) {
  const sent: KubeRequest[] = [];
  const inner: Transport = {
    request: (r) => {
      sent.push(r);
      const err = fail(r);
      return err ? Promise.reject(err) : Promise.resolve({});
    },
    stream: () => Promise.reject(new Error("no watches here")),
    close: () => {},
  };
  const transport = new CountingTransport(inner);
  const byId = new Map(live.map((o) => [`${o.kind}/${o.metadata.name}`, o]));
  const deps = {
    client: new KubeClient(transport),
    reader: {
      get: (ref: { kind: string; name: string }) =>
        Promise.resolve(byId.get(`${ref.kind}/${ref.name}`)),
      list: () => Promise.resolve([]),
    },
    log: nullLogger,
    accepted: new AcceptedChildren(),
  } as unknown as ReconcileDeps;
  return { deps, sent, transport };
}

Deno.test("dry run: what would be written goes once; KEDA kinds, equal hashes and existing Jobs do not", async () => {
  const { deps, sent, transport } = fakeDeps([await withAppliedHash(secret), job]);
  await dryRunGate(fd, phases, deps);
  assert.deepEqual(sent.map((r) => `${r.method} ${r.path}`), [
    "PATCH /apis/apps/v1/namespaces/ns/statefulsets/erp-mariadb",
  ]);
  assert.deepEqual(sent[0].query, { fieldManager: "frappe-op", force: true, dryRun: "All" });
  assert.equal(transport.writes(), 0, "a dry run is not a write");
  await dryRunGate(fd, phases, deps);
  assert.equal(sent.length, 1, "content accepted before is not sent again");
});

Deno.test("dry run: a Job to create is a strict create; AlreadyExists means accepted", async () => {
  const exists = apiErrorFrom(409, JSON.stringify({ reason: "AlreadyExists" }), "POST", "/x");
  const { deps, sent, transport } = fakeDeps([], (r) => r.method === "POST" ? exists : undefined);
  await dryRunGate(fd, phases, deps);
  const post = sent.find((r) => r.method === "POST")!;
  assert.equal(post.path, "/apis/batch/v1/namespaces/ns/jobs");
  assert.deepEqual(post.query, {
    fieldManager: "frappe-op",
    fieldValidation: "Strict",
    dryRun: "All",
  });
  assert.deepEqual(transport.counts(), { "apply-dry-run": 2, "create-dry-run": 1 });
});

Deno.test("dry run: a refusal names the child and the server's words and is not retried", async () => {
  const typed = apiErrorFrom(
    500,
    JSON.stringify({
      message: "failed to create typed patch object (ns/erp-mariadb; apps/v1, Kind=StatefulSet): " +
        ".spec.template.spec.affinity.nodeAffinity.bogus: field not declared in schema",
    }),
    "PATCH",
    "/x",
  );
  const { deps, sent } = fakeDeps([], (r) => r.path.includes("statefulsets") ? typed : undefined);
  const err = await dryRunGate(fd, phases, deps).then(() => undefined, (e) => e);
  assert.ok(err instanceof StepError);
  assert.equal(err.reason, "RejectedByApiServer");
  assert.equal(err.retry, false);
  assert.match(
    err.message,
    /^the API server rejected StatefulSet\/erp-mariadb \(dry run; nothing was written\): failed to create typed patch object .*bogus: field not declared in schema$/,
  );
  assert.equal(sent.length, 2, "stops at the first refusal");
  assert.ok(!deps.accepted!.has(fd, "StatefulSet/erp-mariadb", "x"));
});

Deno.test("dry run: a server that does not answer is retried, not a refusal", async () => {
  const busy = apiErrorFrom(503, "", "PATCH", "/x");
  const { deps } = fakeDeps([], () => busy);
  const err = await dryRunGate(fd, phases, deps).then(() => undefined, (e) => e);
  assert.ok(err instanceof StepError);
  assert.equal(err.reason, "ApplyFailed");
  assert.equal(err.retry, true);
  assert.match(err.message, /^dry run of Secret\/erp-config: ServiceUnavailable/);
  assert.ok(isRefusal(apiErrorFrom(422, "", "PATCH", "/x")));
  assert.ok(isRefusal(apiErrorFrom(400, "", "POST", "/x")));
  assert.ok(
    !isRefusal(apiErrorFrom(500, '{"message":"etcdserver: leader changed"}', "PATCH", "/x")),
  );
  assert.ok(!isRefusal(apiErrorFrom(403, "", "PATCH", "/x")));
  assert.ok(!isRefusal(new Error("ECONNREFUSED")));
});

Deno.test("accepted children are remembered per uid and forgotten with the FrappeDeployment", () => {
  const a = new AcceptedChildren();
  a.remember(fd, "Secret/erp-config", "h1");
  assert.ok(a.has(fd, "Secret/erp-config", "h1"));
  assert.ok(!a.has(fd, "Secret/erp-config", "h2"));
  const again = { ...fd, metadata: { ...fd.metadata, uid: "u2" } };
  assert.ok(
    !a.has(again, "Secret/erp-config", "h1"),
    "a new object of the same name starts afresh",
  );
  a.forget("ns/erp");
  assert.ok(!a.has(fd, "Secret/erp-config", "h1"));
});
