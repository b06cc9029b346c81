/** FrappeDeployments for e2e tests, created through the operator. */
import { eventually, kubectlOk } from "../support/cluster.ts";
import { type BenchConn, connectBench } from "./bench.ts";
import { kube } from "./stack.ts";
import { Timeline } from "./timeline.ts";

export interface Scaling {
  maxReplicas?: number;
  queueLength?: number;
  cooldownPeriod?: number;
  pollingInterval?: number;
  minReplicas?: number;
}

/** Autoscaling block with the fast settings e2e tests use. */
export function autoscaled(s: Scaling = {}): Record<string, unknown> {
  return {
    autoscaling: {
      enabled: true,
      minReplicas: s.minReplicas ?? 0,
      maxReplicas: s.maxReplicas ?? 4,
      queueLength: s.queueLength ?? 2,
      pollingInterval: s.pollingInterval ?? 2,
      cooldownPeriod: s.cooldownPeriod ?? 15,
    },
  };
}

/** The workers of a bench loaded on `short` only: short autoscaled as `s` says, long and default at 0. */
export function shortWorkerOnly(s: Scaling): Record<string, unknown> {
  return { short: autoscaled(s), long: { replicas: 0 }, default: { replicas: 0 } };
}

export function fdManifest(
  ns: string,
  name: string,
  spec: Record<string, unknown>,
): Record<string, unknown> {
  const version = (spec.frappeVersion as string | undefined) ?? "15";
  return {
    apiVersion: "frappe-op.dev/v1alpha1",
    kind: "FrappeDeployment",
    metadata: { name, namespace: ns },
    spec: {
      image: version === "16" ? "frappe/erpnext:v16.0.0" : "frappe/erpnext:v15.105.0",
      frappeVersion: version,
      sites: [{ name: `${name}.e2e.local`, apps: ["erpnext"] }],
      ...spec,
    },
  };
}

export async function applyFd(
  ns: string,
  name: string,
  spec: Record<string, unknown>,
): Promise<void> {
  await kubectlOk(
    ["apply", "--server-side", "--field-manager", "e2e", "-f", "-"],
    JSON.stringify(fdManifest(ns, name, spec)),
  );
}

// deno-lint-ignore no-explicit-any
function ready(obj: any): boolean {
  return (obj?.status?.conditions ?? []).some((c: { type: string; status: string }) =>
    c.type === "Ready" && c.status === "True"
  );
}

/** Waits until the operator's ScaledObjects are Ready (KEDA reached the Redis), then connects. */
export async function waitBench(
  ns: string,
  name: string,
  scaled: string[],
  timeoutMs = 240_000,
): Promise<BenchConn> {
  const client = await kube();
  for (const type of scaled) {
    await eventually(
      `ScaledObject ${name}-worker-${type} Ready`,
      async () => {
        const so = await client.get({
          apiVersion: "keda.sh/v1alpha1",
          kind: "ScaledObject",
          namespace: ns,
          name: `${name}-worker-${type}`,
        });
        return ready(so) || undefined;
      },
      timeoutMs,
      1000,
    );
  }
  return await eventually("the bench's queue Redis", () => connectBench(ns, name), timeoutMs, 1000);
}

export async function desiredReplicas(ns: string, deployment: string): Promise<number | undefined> {
  const d = await (await kube()).get({
    apiVersion: "apps/v1",
    kind: "Deployment",
    namespace: ns,
    name: deployment,
  });
  return d?.spec?.replicas;
}

/**
 * Runs fn on a new FrappeDeployment with shortWorkerOnly(scaling) workers:
 * its bench connected (waitBench) and the short worker's replicas sampled
 * from then on; both closed afterwards.
 */
export async function withShortBench(
  ns: string,
  name: string,
  scaling: Scaling,
  fn: (bench: BenchConn, timeline: Timeline) => Promise<void>,
): Promise<void> {
  await applyFd(ns, name, { workers: shortWorkerOnly(scaling) });
  const bench = await waitBench(ns, name, ["short"]);
  const timeline = new Timeline(ns, `${name}-worker-short`);
  try {
    await fn(bench, timeline);
  } finally {
    await timeline.stop();
    bench.redis.disconnect();
  }
}
