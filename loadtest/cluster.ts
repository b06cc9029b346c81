/**
 * What loadtest needs from Kubernetes, as a small interface (tests fake it),
 * and its implementation over kube/client.ts. The names follow
 * docs/CONTRACT.md: Redis Service `<fd>-redis-queue`, Secret
 * `<fd>-credentials` key `redis-queue-password`, worker Deployments
 * `<fd>-worker-<type>`, one ScaledObject per autoscaled worker.
 */

import { API_VERSION, KIND } from "../apis/frappedeployment.ts";
import { childName, defaultBenchId, SCALED_OBJECT_NAME_MAX } from "../apis/naming.ts";
import type { KubeClient } from "../kube/client.ts";
import type { KubeObject } from "../kube/types.ts";
import { quantityValue } from "../kube/quantity.ts";
import { LoadtestError } from "./errors.ts";
import type { WorkerInfo } from "./report.ts";
import { STATEFULSET_NAME_MAX } from "../controllers/render/names.ts";
import { WORKER_LABEL } from "../controllers/render/worker_names.ts";

export interface BenchTarget {
  tenant: string;
  benchId: string;
  /** In-cluster address of the queue Redis. */
  redisUrl: string;
  redisPassword?: string;
  /** Why there is no password although the bench's Redis needs one (a Secret or key missing). */
  redisPasswordMissing?: string;
  site?: string;
  frappeVersion?: number;
  /** Custom queues' timeouts from spec.workers.custom. */
  queueTimeouts: Record<string, number>;
  workers: WorkerInfo[];
}

export interface ClusterView {
  benchTarget(namespace: string, name: string): Promise<BenchTarget>;
  /** Worker Deployment name -> spec.replicas. */
  workerReplicas(namespace: string, name: string): Promise<Record<string, number>>;
}

/** `500m` -> 0.5, `2` -> 2 (vCPU); 0 when absent or not a quantity. */
export function parseCpu(q: string | undefined): number {
  return quantityValue(q) ?? 0;
}

/** `512Mi` -> 0.5, `1G` -> 0.93 (GiB); 0 when absent or not a quantity. */
export function parseMemoryGiB(q: string | undefined): number {
  return (quantityValue(q) ?? 0) / 2 ** 30;
}

function decodeBase64(text: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)));
}

// deno-lint-ignore no-explicit-any
type Any = any;

export class KubeClusterView implements ClusterView {
  constructor(private readonly client: KubeClient) {}

  private async frappeDeployment(ns: string, name: string): Promise<KubeObject> {
    const fd = await this.wrap(
      `FrappeDeployment ${ns}/${name}`,
      () => this.client.get({ apiVersion: API_VERSION, kind: KIND, namespace: ns, name }),
    );
    if (!fd) {
      throw new LoadtestError("targetNotFound", `FrappeDeployment ${ns}/${name} not found`);
    }
    return fd;
  }

  private async wrap<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      const msg = cause instanceof Error ? cause.message : String(cause);
      throw new LoadtestError("kubeApi", `reading ${what}: ${msg}`, { cause });
    }
  }

  private async workerDeployments(ns: string, name: string): Promise<KubeObject[]> {
    const list = await this.wrap(
      `worker Deployments of ${ns}/${name}`,
      () =>
        this.client.list("apps/v1", "Deployment", {
          namespace: ns,
          labelSelector:
            `app.kubernetes.io/instance=${name},app.kubernetes.io/managed-by=frappe-op`,
        }),
    );
    // The worker label, not the name: a long bench's names are truncated with a hash.
    return list.items.filter((d) =>
      d.metadata.labels?.[WORKER_LABEL] !== undefined ||
      d.metadata.name.startsWith(`${name}-worker-`)
    );
  }

  async workerReplicas(ns: string, name: string): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const d of await this.workerDeployments(ns, name)) {
      out[d.metadata.name] = d.spec?.replicas ?? 0;
    }
    return out;
  }

  /** The password, or why there is none (the Secret or its key is missing). */
  private async secretValue(
    ns: string,
    secretName: string,
    key: string,
    field: string,
  ): Promise<{ password?: string; missing?: string }> {
    const secret = await this.wrap(
      `Secret ${ns}/${secretName}`,
      () => this.client.get({ apiVersion: "v1", kind: "Secret", namespace: ns, name: secretName }),
    );
    const value = secret?.data?.[key];
    if (value) return { password: decodeBase64(value) };
    const what = secret ? `has no key "${key}"` : "not found";
    return { missing: `Secret ${ns}/${secretName} (${field}) ${what}` };
  }

  /**
   * The queue Redis as the bench's workers reach it: `spec.redis.queue.external`
   * (URL, TLS, password Secret) or the managed Service and the generated password,
   * named as the render names them (long names are truncated with a hash).
   */
  private async queueRedis(
    ns: string,
    name: string,
    spec: Any,
  ): Promise<{ url: string; password?: string; missing?: string }> {
    const external = spec.redis?.queue?.external;
    if (typeof external?.url === "string") {
      const ref = external.passwordSecretRef;
      const field = "spec.redis.queue.external.passwordSecretRef";
      return {
        url: external.tls ? external.url.replace(/^redis:\/\//, "rediss://") : external.url,
        ...(ref?.name && ref?.key ? await this.secretValue(ns, ref.name, ref.key, field) : {}),
      };
    }
    const service = childName([name, "redis-queue"], STATEFULSET_NAME_MAX);
    return {
      url: `redis://${service}.${ns}.svc.cluster.local:6379`,
      ...await this.secretValue(
        ns,
        childName([name, "credentials"]),
        "redis-queue-password",
        "generated by the operator",
      ),
    };
  }

  private async workerInfo(ns: string, fdName: string, d: KubeObject): Promise<WorkerInfo> {
    const type = d.metadata.labels?.[WORKER_LABEL] ??
      d.metadata.name.slice(`${fdName}-worker-`.length);
    const soName = childName([fdName, "worker", type], SCALED_OBJECT_NAME_MAX);
    const so = await this.wrap(`ScaledObject ${ns}/${soName}`, () =>
      this.client.get({
        apiVersion: "keda.sh/v1alpha1",
        kind: "ScaledObject",
        namespace: ns,
        name: soName,
      }));
    const requests = (d.spec?.template?.spec?.containers?.[0] as Any)?.resources?.requests ?? {};
    const replicas = d.spec?.replicas ?? 0;
    return {
      tenant: `${ns}/${fdName}`,
      deployment: d.metadata.name,
      type,
      cpu: parseCpu(requests.cpu),
      memoryGiB: parseMemoryGiB(requests.memory),
      minReplicas: so ? so.spec?.minReplicaCount ?? 0 : replicas,
      maxReplicas: so ? so.spec?.maxReplicaCount ?? 100 : replicas,
    };
  }

  async benchTarget(ns: string, name: string): Promise<BenchTarget> {
    const fd = await this.frappeDeployment(ns, name);
    const spec: Any = fd.spec ?? {};
    const custom: Any[] = spec.workers?.custom ?? [];
    const deployments = await this.workerDeployments(ns, name);
    const redis = await this.queueRedis(ns, name, spec);
    return {
      tenant: `${ns}/${name}`,
      benchId: fd.status?.benchId ?? spec.benchId ?? defaultBenchId(ns, name),
      redisUrl: redis.url,
      redisPassword: redis.password,
      redisPasswordMissing: redis.missing,
      site: spec.sites?.[0]?.name,
      frappeVersion: spec.frappeVersion ? Number(spec.frappeVersion) : undefined,
      queueTimeouts: Object.fromEntries(custom.map((c) => [c.name, c.timeout])),
      workers: await Promise.all(deployments.map((d) => this.workerInfo(ns, name, d))),
    };
  }
}
