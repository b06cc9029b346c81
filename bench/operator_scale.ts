/**
 * The operator at scale: N FrappeDeployments (default 100) on the local
 * control plane, the operator started cold as the real process
 * (`bin/frappe-op run`). One run measures:
 *
 *   - time from spawn to /readyz, and to "converged" (below);
 *   - API requests by verb, per reconcile and per FrappeDeployment, from the
 *     operator's own /metrics (frappe_op_api_requests_total counts every
 *     request its CountingTransport sends: reads, writes, watches);
 *   - requests at steady state over `--resyncs` resync periods (writes: target 0);
 *   - the operator's RSS (/proc/<pid>/status VmRSS every 250 ms, peak VmHWM).
 *
 * No pods run: each bench namespace gets a ResourceQuota `pods: 0`, so no pod
 * reaches the shared test node agent (100 benches would be ~800 pods and 200
 * redis-servers, over its 220-pod node). A rollout therefore stops at the
 * `data` phase gate (MariaDB/Redis not ready). Converged means, for every
 * FrappeDeployment: status.observedGeneration == metadata.generation, the
 * Progressing condition has reason WaitingForDataStores, and every object of
 * the phases reachable without pods (config + data) exists, controlled by it.
 * After that the bench waits for a quiet period (no write for
 * progress-requeue + 5 s) before the steady window starts.
 *
 *   deno run -A bench/operator_scale.ts [--fds 100] [--namespaces 1] [--resync 30s]
 *     [--resyncs 3] [--concurrency N (the operator's flag)] [--json .local/bench/operator_scale.json]
 *
 * Everything it creates (namespaces bench-op-*, their objects, PVs the node
 * agent provisioned for their claims) is deleted at the end, pass or fail.
 */
import { parseFrappeDeployment } from "../apis/frappedeployment.ts";
import { renderAll } from "../controllers/render/mod.ts";
import { childId } from "../controllers/rollout.ts";
import type { KubeClient } from "../kube/client.ts";
import type { KubeObject } from "../kube/types.ts";
import { installCrd, testClient } from "../tests/integration/operator_support.ts";
import { ensureCluster, kubeconfigPath, kubectl, kubectlOk } from "../tests/support/cluster.ts";
import { freePort } from "../tests/support/net.ts";
import {
  type Counters,
  OperatorProcess,
  READ_VERBS,
  sum,
  WRITE_VERBS,
} from "./operator_process.ts";
import { printTable, type Result } from "./operator_scale_report.ts";

const PROGRESS_REQUEUE_S = 10; // the operator's default --progress-requeue
const QUIET_S = PROGRESS_REQUEUE_S + 5;

function flag(name: string, dflt: string): string {
  const at = Deno.args.indexOf(`--${name}`);
  return at >= 0 && Deno.args[at + 1] !== undefined ? Deno.args[at + 1] : dflt;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fdObject(namespace: string, i: number): KubeObject {
  const name = `erp-${String(i).padStart(3, "0")}`;
  return {
    apiVersion: "frappe-op.dev/v1alpha1",
    kind: "FrappeDeployment",
    metadata: { name, namespace },
    spec: {
      sites: [{ name: `erp${i}.bench.local`, apps: ["erpnext"] }],
      workers: {
        short: { autoscaling: { enabled: true } },
        long: { autoscaling: { enabled: true, maxReplicas: 3 } },
        default: { replicas: 1 },
      },
    },
  };
}

/** `Kind/name` of every object in the phases reachable without pods. */
function expectedChildren(fd: KubeObject): string[] {
  const parsed = parseFrappeDeployment(fd);
  if (!parsed.ok) throw new Error(`bench FrappeDeployment invalid: ${parsed.errors.join("; ")}`);
  const phases = renderAll(parsed.value, { kedaAvailable: true, randomPassword: () => "x" });
  return phases.filter((p) => p.phase === "config" || p.phase === "data")
    .flatMap((p) => p.objects.map(childId));
}

async function createNamespaces(names: string[]): Promise<void> {
  for (const name of names) {
    const objects = [
      {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name, labels: { "frappe-op.dev/bench": "operator-scale" } },
      },
      {
        apiVersion: "v1",
        kind: "ResourceQuota",
        metadata: { name: "no-pods", namespace: name },
        spec: { hard: { pods: "0" } },
      },
    ];
    await kubectlOk(
      ["apply", "-f", "-"],
      JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }),
    );
  }
}

/** How many FrappeDeployments are converged (see the header). */
async function convergedCount(
  client: KubeClient,
  namespaces: string[],
  expected: string[],
): Promise<number> {
  let n = 0;
  const kinds = new Set(expected.map((id) => id.split("/")[0]));
  for (const namespace of namespaces) {
    const fds = await client.list("frappe-op.dev/v1alpha1", "FrappeDeployment", { namespace });
    // By instance label, not owner uid: the data kept under deletionPolicy Retain has no owner.
    const byInstance = new Map<string, Set<string>>();
    for (const [apiVersion, kind] of CHILD_API.filter(([, k]) => kinds.has(k))) {
      const { items } = await client.list(apiVersion, kind, {
        namespace,
        labelSelector: "app.kubernetes.io/managed-by=frappe-op",
      });
      for (const o of items) {
        const instance = o.metadata.labels?.["app.kubernetes.io/instance"];
        if (!instance) continue;
        if (!byInstance.has(instance)) byInstance.set(instance, new Set());
        byInstance.get(instance)!.add(`${kind}/${o.metadata.name}`);
      }
    }
    for (const fd of fds.items) {
      const have = byInstance.get(fd.metadata.name) ?? new Set();
      const progressing = fd.status?.conditions?.find((c: { type: string }) =>
        c.type === "Progressing"
      );
      const ok = fd.status?.observedGeneration === fd.metadata.generation &&
        progressing?.reason === "WaitingForDataStores" &&
        expectedChildren(fd).every((id) => have.has(id));
      if (ok) n++;
    }
  }
  return n;
}

const CHILD_API: [string, string][] = [
  ["v1", "Secret"],
  ["v1", "PersistentVolumeClaim"],
  ["v1", "Service"],
  ["networking.k8s.io/v1", "NetworkPolicy"],
  ["apps/v1", "StatefulSet"],
  ["apps/v1", "Deployment"],
];

/** The first FrappeDeployment's Progressing message (what the rollout waits for). */
async function progressingMessage(client: KubeClient, namespace: string): Promise<string> {
  const fd = await client.get({
    apiVersion: "frappe-op.dev/v1alpha1",
    kind: "FrappeDeployment",
    namespace,
    name: "erp-000",
  });
  const c = fd?.status?.conditions?.find((c: { type: string }) => c.type === "Progressing");
  return `${c?.reason}: ${c?.message}`;
}

/** The operator's Events by reason: how many objects, and how many writes (sum of count). */
async function eventsByReason(client: KubeClient, namespaces: string[]) {
  const out: Record<string, { events: number; count: number }> = {};
  for (const namespace of namespaces) {
    const { items } = await client.list("v1", "Event", { namespace });
    for (const e of items.filter((e) => e.reportingComponent === "frappe-op")) {
      const r = (out[e.reason] ??= { events: 0, count: 0 });
      r.events++;
      r.count += e.count ?? 1;
    }
  }
  return out;
}

/** Seconds of the last sample whose write count went up. */
function lastWriteAt(op: OperatorProcess): number {
  let last = 0;
  let prev = -1;
  for (const s of op.samples) {
    if (!s.counters) continue;
    const w = sum(s.counters, WRITE_VERBS);
    if (w > prev && prev >= 0) last = s.t;
    prev = w;
  }
  return last;
}

async function countersNow(op: OperatorProcess): Promise<Counters> {
  const c = await op.counters();
  if (!c) throw new Error("the operator's /metrics did not answer");
  return c;
}

async function cleanUp(namespaces: string[]): Promise<string[]> {
  const problems: string[] = [];
  if (namespaces.length > 0) {
    const r = await kubectl([
      "delete",
      "namespace",
      ...namespaces,
      "--wait=true",
      "--timeout=600s",
    ]);
    if (r.code !== 0) problems.push(`deleting namespaces: ${r.stderr.trim()}`);
  }
  // The node agent deletes the PVs it provisioned with their claims; catch any it missed.
  const pvs = JSON.parse(await kubectlOk(["get", "pv", "-o", "json"])).items as KubeObject[];
  const ours = pvs.filter((pv) => namespaces.includes(pv.spec?.claimRef?.namespace));
  if (ours.length > 0) {
    const r = await kubectl([
      "delete",
      "pv",
      "--wait=false",
      "--ignore-not-found",
      ...ours.map((p) => p.metadata.name),
    ]);
    if (r.code !== 0) problems.push(`deleting PVs: ${r.stderr.trim()}`);
  }
  return problems;
}

async function measure(
  client: KubeClient,
  namespaces: string[],
  fdCount: number,
  resync: string,
  resyncs: number,
  extraArgs: string[],
): Promise<Result> {
  const expected = expectedChildren(fdObject(namespaces[0], 0));
  for (let i = 0; i < fdCount; i++) {
    await client.apply(fdObject(namespaces[i % namespaces.length], i), {
      fieldManager: "bench",
      force: true,
    });
  }
  await Deno.mkdir(".local/bench", { recursive: true });
  const logFile = `${Deno.cwd()}/.local/bench/operator_scale.operator.log`;
  await Deno.writeTextFile(logFile, "");
  const op = new OperatorProcess({
    kubeconfig: kubeconfigPath(),
    namespaces,
    port: freePort(),
    resync,
    logFile,
    extraArgs,
  });
  try {
    while (!(await op.ready())) {
      if (op.exit) throw new Error(`the operator exited (${op.exit.code}); see ${logFile}`);
      await sleep(100);
    }
    const readyS = op.seconds();
    const rssAtReadyKiB = op.last()?.rssKiB ?? 0;
    const progress: [number, number][] = [];
    let halfS: number | undefined;
    const deadline = Date.now() + 20 * 60_000;
    for (;;) {
      const n = await convergedCount(client, namespaces, expected);
      if (progress.at(-1)?.[1] !== n) progress.push([op.seconds(), n]);
      if (halfS === undefined && n >= fdCount / 2) halfS = op.seconds();
      if (n === fdCount) break;
      if (Date.now() > deadline || op.exit) throw new Error(`not converged: ${n}/${fdCount}`);
      await sleep(1_000);
    }
    const convergedS = op.seconds();
    const atConverged = await countersNow(op);
    const messageAtConverged = await progressingMessage(client, namespaces[0]);
    // Quiet: no write for QUIET_S (bounded: a steady state that keeps writing shows below).
    const quietDeadline = op.seconds() + 180;
    while (op.seconds() - lastWriteAt(op) < QUIET_S && op.seconds() < quietDeadline) {
      if (op.exit) throw new Error("the operator exited");
      await sleep(1_000);
    }
    const quietS = op.seconds();
    const atQuiet = await countersNow(op);
    const messageAtQuiet = await progressingMessage(client, namespaces[0]);
    const events = await eventsByReason(client, namespaces);
    const steadyFrom = op.samples.length;
    const resyncS = parseDurationS(resync);
    await sleep((resyncs * resyncS + 2) * 1000);
    const atEnd = await countersNow(op);
    const steadyRss = op.samples.slice(steadyFrom).map((s) => s.rssKiB);
    const peakRssKiB = op.peakRssKiB;
    const exitCode = await op.stop();
    return {
      date: new Date().toISOString(),
      fds: fdCount,
      namespaces: namespaces.length,
      childrenPerFd: expected.length,
      resyncS,
      resyncs,
      readyS,
      halfConvergedS: halfS ?? convergedS,
      convergedS,
      lastWriteS: lastWriteAt(op),
      quietS,
      atConverged,
      atQuiet,
      messageAtConverged,
      messageAtQuiet,
      events,
      operatorFlags: extraArgs,
      atEnd,
      rssAtReadyKiB,
      peakRssKiB,
      steadyRssKiB: steadyRss,
      exitCode,
      progress,
      cpus: navigator.hardwareConcurrency,
      loadavg: Deno.loadavg(),
    };
  } finally {
    if (!op.exit) await op.stop();
  }
}

function parseDurationS(text: string): number {
  const m = text.match(/^(\d+)(ms|s|m)$/);
  if (!m) throw new Error(`--resync: expected e.g. 30s, got ${text}`);
  return Number(m[1]) * ({ ms: 0.001, s: 1, m: 60 } as Record<string, number>)[m[2]];
}

if (import.meta.main) {
  const fdCount = Number(flag("fds", "100"));
  const nsCount = Number(flag("namespaces", "1"));
  const resync = flag("resync", "30s");
  const resyncs = Number(flag("resyncs", "3"));
  const jsonFile = flag("json", ".local/bench/operator_scale.json");
  const concurrency = flag("concurrency", "");
  const extraArgs = concurrency ? ["--concurrency", concurrency] : [];
  await ensureCluster();
  const t = await testClient();
  await installCrd(t.client);
  const id = crypto.randomUUID().slice(0, 6);
  const namespaces = Array.from({ length: nsCount }, (_, i) => `bench-op-${id}-${i}`);
  let result: Result | undefined;
  try {
    await createNamespaces(namespaces);
    result = await measure(t.client, namespaces, fdCount, resync, resyncs, extraArgs);
  } finally {
    const problems = await cleanUp(namespaces);
    t.close();
    for (const p of problems) console.error(`clean-up: ${p}`);
  }
  printTable(result, READ_VERBS, WRITE_VERBS);
  await Deno.writeTextFile(jsonFile, JSON.stringify(result, null, 2) + "\n");
  console.log(
    `\n(raw numbers: ${jsonFile}; operator log: .local/bench/operator_scale.operator.log)`,
  );
}
