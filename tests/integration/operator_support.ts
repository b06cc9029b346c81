/**
 * Helpers for the operator's integration tests (real local control plane):
 * a counted client from the admin kubeconfig, the FrappeDeployment CRD
 * installed, reconcile dependencies, FrappeDeployment fixtures, and reading
 * the objects back.
 */
import assert from "node:assert/strict";
import { frappeDeploymentCrd } from "../../apis/crd.ts";
import { API_VERSION, KIND } from "../../apis/frappedeployment.ts";
import { KubeClient, type ObjectRef } from "../../kube/client.ts";
import { KubeApiError } from "../../kube/errors.ts";
import { realClock } from "../../kube/clock.ts";
import { loadConfig } from "../../kube/config.ts";
import { HttpTransport } from "../../kube/http_transport.ts";
import { createLogger, type Logger, nullLogger } from "../../kube/log.ts";
import { CountingTransport } from "../../kube/transport.ts";
import type { KubeObject } from "../../kube/types.ts";
import {
  DEFAULT_RECONCILE_OPTIONS,
  directReader,
  type ReconcileDeps,
  selector,
} from "../../controllers/deps.ts";
import { KubeEventRecorder } from "../../controllers/events.ts";
import { CrdKedaDetector } from "../../controllers/keda.ts";
import { CHILD_KINDS } from "../../controllers/prune.ts";
import { childLabels } from "../../controllers/children.ts";
import { Manager, type ManagerConfig } from "../../controllers/manager.ts";
import { QueueObserver, type QueueObserverConfig } from "../../controllers/queue_observer.ts";
import { reconcile } from "../../controllers/reconcile.ts";
import { fromBase64 } from "../../controllers/render/credentials.ts";
import {
  ensureCluster,
  eventually,
  kubeconfigPath,
  REPO_ROOT,
  run,
  withNamespace,
} from "../support/cluster.ts";

export interface TestClient {
  client: KubeClient;
  transport: CountingTransport;
  close(): void;
}

export async function testClient(): Promise<TestClient> {
  await ensureCluster();
  const resolved = await loadConfig({
    kubeconfig: kubeconfigPath(),
    env: {},
    readTextFile: (p) => Deno.readTextFile(p),
  });
  const transport = new CountingTransport(new HttpTransport(resolved.connection));
  return { client: new KubeClient(transport), transport, close: () => transport.close() };
}

/** Resource/op sanitizers off: clients keep pooled connections and timers across awaits. */
export const opts = { sanitizeOps: false, sanitizeResources: false };

export interface OperatorTestContext extends TestClient {
  /** A fresh namespace, deleted after the test. */
  ns: string;
  t: Deno.TestContext;
}

/**
 * One integration test against the real control plane: a counted client, the
 * CRD installed, the node agent up (unless `nodeAgent: false`), and a fresh
 * namespace named from `namespace`; all torn down afterwards.
 */
export function operatorTest(
  name: string,
  setup: { namespace: string; nodeAgent?: boolean; ignore?: boolean },
  fn: (ctx: OperatorTestContext) => Promise<void>,
): void {
  Deno.test({
    name,
    ...opts,
    ignore: setup.ignore,
    fn: async (t) => {
      const tc = await testClient();
      try {
        await installCrd(tc.client);
        if (setup.nodeAgent !== false) await ensureNodeAgent();
        await withNamespace(setup.namespace, (ns) => fn({ ...tc, ns, t }));
      } finally {
        tc.close();
      }
    },
  });
}

/** Logs to stderr when FRAPPE_OP_TEST_LOG=debug|info, else nowhere. */
export function testLogger(): Logger {
  const level = Deno.env.get("FRAPPE_OP_TEST_LOG");
  if (level !== "debug" && level !== "info") return nullLogger;
  return createLogger({ level, format: "text", sink: (l) => console.error(l) });
}

let crdInstalled: Promise<void> | undefined;

/** Applies the FrappeDeployment CRD (server-side) and waits until it is Established. */
export function installCrd(client: KubeClient): Promise<void> {
  crdInstalled ??= (async () => {
    await client.apply(frappeDeploymentCrd(), { fieldManager: "frappe-op-tests", force: true });
    await eventually("CRD established", async () => {
      const crd = await client.get({
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        name: frappeDeploymentCrd().metadata.name,
      });
      const ok = (crd?.status?.conditions ?? []).some((c: { type: string; status: string }) =>
        c.type === "Established" && c.status === "True"
      );
      return ok ? true : undefined;
    });
    // Established is not yet served: lists answer 429 until the watch cache has filled.
    await eventually("FrappeDeployments served", async () => {
      try {
        await client.list(API_VERSION, KIND, {});
        return true;
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 429) return undefined;
        throw err;
      }
    });
  })();
  return crdInstalled;
}

/** The node agent plays kubelet (hack/node-agent/): pods run, Jobs complete. */
let agent: Promise<void> | undefined;
export function ensureNodeAgent(): Promise<void> {
  agent ??= (async () => {
    const r = await run("bash", [`${REPO_ROOT}hack/node-agent-up.sh`]);
    if (r.code !== 0) throw new Error(`hack/node-agent-up.sh failed:\n${r.stderr}`);
  })();
  return agent;
}

export function reconcileDeps(client: KubeClient, log = testLogger()): ReconcileDeps {
  return {
    client,
    reader: directReader(client),
    keda: new CrdKedaDetector(client, realClock, 1_000),
    events: new KubeEventRecorder(client, realClock, log),
    clock: realClock,
    log,
    options: { ...DEFAULT_RECONCILE_OPTIONS, progressRequeueMs: 500 },
  };
}

/** A manager for `namespaces` with a 1 s resync (overridable). */
export function managerConfig(
  t: TestClient,
  namespaces: string[],
  overrides: Partial<ManagerConfig> = {},
): ManagerConfig {
  return {
    client: t.client,
    transport: t.transport,
    clock: realClock,
    log: testLogger(),
    namespaces,
    concurrency: 2,
    resyncMs: 1_000,
    kedaRecheckMs: 5_000,
    // Due only after the tests end: a restarted operator must not re-apply at once.
    reconcile: { autoscalingDefault: false, progressRequeueMs: 500, reapplyIntervalMs: 60_000 },
    ...overrides,
  };
}

/** Runs a manager until `fn` returns, then stops it. */
export async function withManager<T>(
  config: ManagerConfig,
  fn: (m: Manager) => Promise<T>,
): Promise<T> {
  const manager = new Manager(config);
  const stop = new AbortController();
  const running = manager.run(stop.signal);
  try {
    return await fn(manager);
  } finally {
    stop.abort();
    assert.equal(await running, "stopped");
  }
}

/**
 * A started queue observer for tests that call reconcile directly (a 5 s poll,
 * 1-2 s failure backoff); nothing is enqueued: such tests reconcile in a loop.
 */
export async function withQueueObserver<T>(
  client: KubeClient,
  fn: (observer: QueueObserver) => Promise<T>,
  { log = testLogger(), ...config }: Partial<QueueObserverConfig> & { log?: Logger } = {},
): Promise<T> {
  const observer = new QueueObserver(
    {
      concurrency: 4,
      pollIntervalMs: 5_000,
      failureBackoff: { initialMs: 1_000, maxMs: 2_000 },
      ...config,
    },
    { client, clock: realClock, log, enqueue: () => {} },
  );
  observer.start();
  try {
    return await fn(observer);
  } finally {
    await observer.stop();
  }
}

/** Workers with no replicas (no RQ processes needed) unless a test asks for them. */
export const IDLE_WORKERS = {
  short: { replicas: 0, autoscaling: { enabled: false } },
  long: { replicas: 0, autoscaling: { enabled: false } },
  default: { replicas: 0, autoscaling: { enabled: false } },
};

export function frappeDeployment(
  namespace: string,
  name: string,
  spec: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace },
    spec: { workers: IDLE_WORKERS, ...spec },
  };
}

/** Applies frappeDeployment(namespace, name, spec) server-side as the test's field manager. */
export function applyFd(
  client: KubeClient,
  namespace: string,
  name: string,
  spec: Record<string, unknown> = {},
): Promise<KubeObject> {
  return client.apply(frappeDeployment(namespace, name, spec), {
    fieldManager: "test",
    force: true,
  });
}

export function fdRef(namespace: string, name: string): ObjectRef {
  return { apiVersion: API_VERSION, kind: KIND, namespace, name };
}

export function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reconciles (as the work queue would) until the FrappeDeployment is Ready and a pass writes nothing. */
export function reconcileUntilSteady(
  key: string,
  deps: ReconcileDeps,
  transport: CountingTransport,
  timeoutMs = 90_000,
): Promise<KubeObject> {
  return reconcileUntil(key, deps, transport, (fd) => fd.status?.phase === "Ready", timeoutMs);
}

/** Reconciles until a pass writes nothing and `done(fd)` holds. */
export async function reconcileUntil(
  key: string,
  deps: ReconcileDeps,
  transport: CountingTransport,
  done: (fd: KubeObject) => boolean | Promise<boolean>,
  timeoutMs = 90_000,
): Promise<KubeObject> {
  const [namespace, name] = key.split("/");
  return await eventually(
    `${key} steady`,
    async () => {
      const before = transport.writes();
      await reconcile(key, deps);
      const fd = await deps.client.get(fdRef(namespace, name));
      if (fd && transport.writes() === before && await done(fd)) return fd;
      await sleep(300);
      return undefined;
    },
    timeoutMs,
    0,
  );
}

/**
 * Everything of a FrappeDeployment across the child kinds: labelled with its
 * instance and managed-by frappe-op, owned or not (the data `deletionPolicy:
 * Retain` keeps has no owner, nor have the PVCs a StatefulSet makes under
 * Retain). Objects being deleted are included.
 */
export async function childrenOf(client: KubeClient, namespace: string, name: string) {
  const out: KubeObject[] = [];
  for (const k of CHILD_KINDS) {
    const { items } = await client.list(k.apiVersion, k.kind, {
      namespace,
      labelSelector: selector(childLabels(name)),
    });
    out.push(...items);
  }
  return out;
}

export const idOf = (o: KubeObject) => `${o.kind}/${o.metadata.name}`;

export function getObject(
  client: KubeClient,
  apiVersion: string,
  kind: string,
  namespace: string,
  name: string,
): Promise<KubeObject | undefined> {
  return client.get({ apiVersion, kind, namespace, name });
}

export const deployment = (client: KubeClient, namespace: string, name: string) =>
  getObject(client, "apps/v1", "Deployment", namespace, name);

/** The decoded value of one key of a Secret. */
export async function secretValue(client: KubeClient, ns: string, name: string, key: string) {
  const secret = await getObject(client, "v1", "Secret", ns, name);
  assert.ok(secret, `Secret ${ns}/${name} exists`);
  const b64 = secret.data?.[key];
  assert.equal(typeof b64, "string", `Secret ${name} has key ${key}`);
  return fromBase64(b64);
}

/** The API server's refusal of `apply()`; fails the test if it was accepted. */
export async function rejection(apply: () => Promise<unknown>): Promise<KubeApiError> {
  try {
    await apply();
  } catch (err) {
    if (err instanceof KubeApiError) return err;
    throw err;
  }
  throw new Error("the API server accepted an invalid FrappeDeployment");
}
