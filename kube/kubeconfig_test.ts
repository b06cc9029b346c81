import assert from "node:assert/strict";
import { inClusterConfig, loadConfig, rotatingToken } from "./config.ts";
import { KubeConfigError } from "./errors.ts";
import { resolveKubeconfig } from "./kubeconfig.ts";

const b64 = (s: string) => btoa(s);

const KUBECONFIG = `
apiVersion: v1
kind: Config
current-context: admin
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: ${b64("CA-PEM")}
- name: other
  cluster:
    server: https://other:443
    certificate-authority: certs/ca.crt
users:
- name: admin
  user:
    client-certificate-data: ${b64("CERT-PEM")}
    client-key-data: ${b64("KEY-PEM")}
- name: files
  user:
    client-certificate: /abs/client.crt
    client-key: client.key
- name: bearer
  user:
    token: s3cret
contexts:
- name: admin
  context: {cluster: local, user: admin, namespace: team-a}
- name: files
  context: {cluster: other, user: files}
- name: bearer
  context: {cluster: local, user: bearer}
`;

function files(map: Record<string, string>) {
  const reads: string[] = [];
  const read = (p: string) => {
    reads.push(p);
    return p in map ? Promise.resolve(map[p]) : Promise.reject(new Error(`ENOENT ${p}`));
  };
  return { read, reads };
}

Deno.test("the current context resolves to server, CA, client cert and namespace", async () => {
  const { read } = files({});
  const cfg = await resolveKubeconfig(KUBECONFIG, { baseDir: "/home/u/.kube", readTextFile: read });
  assert.equal(cfg.connection.server, "https://127.0.0.1:6443");
  assert.deepEqual(cfg.connection.caCerts, ["CA-PEM"]);
  assert.deepEqual(cfg.connection.clientCert, { cert: "CERT-PEM", key: "KEY-PEM" });
  assert.equal(cfg.connection.token, undefined);
  assert.equal(cfg.namespace, "team-a");
});

Deno.test("file references resolve relative to the kubeconfig's directory", async () => {
  const { read, reads } = files({
    "/home/u/.kube/certs/ca.crt": "CA2",
    "/abs/client.crt": "C2",
    "/home/u/.kube/client.key": "K2",
  });
  const cfg = await resolveKubeconfig(KUBECONFIG, {
    baseDir: "/home/u/.kube",
    context: "files",
    readTextFile: read,
  });
  assert.deepEqual(cfg.connection.caCerts, ["CA2"]);
  assert.deepEqual(cfg.connection.clientCert, { cert: "C2", key: "K2" });
  assert.deepEqual(reads.sort(), [
    "/abs/client.crt",
    "/home/u/.kube/certs/ca.crt",
    "/home/u/.kube/client.key",
  ]);
});

Deno.test("a token user sends a bearer token", async () => {
  const { read } = files({});
  const cfg = await resolveKubeconfig(KUBECONFIG, {
    baseDir: "/",
    context: "bearer",
    readTextFile: read,
  });
  assert.equal(await cfg.connection.token!(), "s3cret");
  assert.equal(cfg.connection.clientCert, undefined);
});

Deno.test("clear errors for a missing context, exec users and skip-tls-verify", async () => {
  const { read } = files({});
  await assert.rejects(
    resolveKubeconfig(KUBECONFIG, { baseDir: "/", context: "nope", readTextFile: read }),
    (e: Error) => e instanceof KubeConfigError && /context "nope" not found/.test(e.message),
  );
  const exec = KUBECONFIG.replace("token: s3cret", "exec: {command: aws}");
  await assert.rejects(
    resolveKubeconfig(exec, { baseDir: "/", context: "bearer", readTextFile: read }),
    /exec and auth-provider users are not supported/,
  );
  const insecure = KUBECONFIG.replace(
    "server: https://127.0.0.1:6443",
    "server: https://127.0.0.1:6443\n    insecure-skip-tls-verify: true",
  );
  await assert.rejects(
    resolveKubeconfig(insecure, { baseDir: "/", readTextFile: read }),
    /insecure-skip-tls-verify is not supported/,
  );
});

Deno.test("in-cluster config reads the service account and re-reads a rotated token", async () => {
  const sa = "/sa";
  const map: Record<string, string> = {
    "/sa/ca.crt": "CA",
    "/sa/namespace": "frappe-op-system\n",
    "/sa/token": "t1\n",
  };
  let now = 0;
  const read = (p: string) => Promise.resolve(map[p]);
  const cfg = await inClusterConfig({
    env: { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" },
    readTextFile: read,
    serviceAccountDir: sa,
    now: () => now,
  });
  assert.equal(cfg.connection.server, "https://10.0.0.1:443");
  assert.equal(cfg.namespace, "frappe-op-system");
  assert.equal(await cfg.connection.token!(), "t1");
  map["/sa/token"] = "t2";
  assert.equal(await cfg.connection.token!(), "t1", "cached within a minute");
  now += 60_000;
  assert.equal(await cfg.connection.token!(), "t2", "rotation picked up");
});

Deno.test("rotatingToken reports a token file it cannot read", async () => {
  const token = rotatingToken("/x", () => Promise.reject(new Error("EACCES")), () => 0);
  await assert.rejects(token(), /reading service account token \/x failed/);
});

Deno.test("loadConfig reports every strategy that failed, together", async () => {
  const { read } = files({});
  await assert.rejects(
    loadConfig({ env: { HOME: "/home/u" }, readTextFile: read }),
    (e: Error) =>
      /^no usable Kubernetes configuration: in-cluster: KUBERNETES_SERVICE_HOST is not set; kubeconfig \/home\/u\/\.kube\/config: /
        .test(e.message),
  );
  const ok = files({ "/k/config": KUBECONFIG });
  const cfg = await loadConfig({ env: { KUBECONFIG: "/k/config:/other" }, readTextFile: ok.read });
  assert.equal(cfg.source, "/k/config");
});
