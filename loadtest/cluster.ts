/**
 * What loadtest needs from Kubernetes, as a small interface (tests fake it),
 * and its implementation over kube/client.ts. Names, the bench id and the
 * queue Redis come from the functions the operator renders with
 * (docs/CONTRACT.md): `benchIdOf`, `childNames`, `queueRedisConnection` (the
 * address KEDA's triggers and the operator's status read: the Service as
 * `<svc>.<ns>.svc`, or `spec.redis.queue.external`), worker Deployments
 * `<fd>-worker-<type>` found by label, one ScaledObject per autoscaled worker.
 */

import {
  API_VERSION,
  benchIdOf,
  type FrappeDeployment,
  KIND,
  parseFrappeDeployment,
} from "../apis/frappedeployment.ts";
import type { KubeClient } from "../kube/client.ts";
import type { KubeObject } from "../kube/types.ts";
import { quantityValue } from "../kube/quantity.ts";
import { LoadtestError } from "./errors.ts";
import type { WorkerInfo } from "./report.ts";
import { childNames } from "../controllers/render/names.ts";
import { customQueues } from "../controllers/render/site_config.ts";
import { queueRedisConnection, queueRedisUrl } from "../controllers/render/triggerauth.ts";
import { scaledObjectName, WORKER_LABEL } from "../controllers/render/worker_names.ts";

export interface BenchTarget {
  tenant: string;
  benchId: string;
  /** In-cluster address of the queue Redis. */
  redisUrl: string;
  redisPassword?: string;
  /** Why there is no password although the bench's Redis needs one (a Secret or key missing). */
  redisPasswordMissing?: string;
  site?: string;
  /** Sites the FrappeDeployment lists (Frappe v16's queue limit grows with them). */
  siteCount?: number;
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
   * The queue Redis exactly as KEDA and the operator's status reach it
   * (queueRedisConnection: the managed Service `<svc>.<ns>.svc` and the
   * generated password, or `spec.redis.queue.external` with its TLS and
   * passwordSecretRef), and the password, or why there is none.
   */
  private async queueRedis(
    fd: FrappeDeployment,
  ): Promise<{ url: string; password?: string; missing?: string }> {
    const ns = fd.metadata.namespace;
    const conn = queueRedisConnection(fd);
    const ref = conn.passwordRef;
    const generated = ref?.name === childNames(fd).credentials;
    const field = generated
      ? "generated by the operator"
      : "spec.redis.queue.external.passwordSecretRef";
    return {
      url: queueRedisUrl(conn),
      ...(ref ? await this.secretValue(ns, ref.name, ref.key, field) : {}),
    };
  }

  private async workerInfo(fd: FrappeDeployment, d: KubeObject): Promise<WorkerInfo> {
    const { namespace: ns, name: fdName } = fd.metadata;
    const type = d.metadata.labels?.[WORKER_LABEL] ??
      d.metadata.name.slice(`${fdName}-worker-`.length);
    const soName = scaledObjectName(fd, type);
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
      autoscaled: Boolean(so),
    };
  }

  /** The FrappeDeployment with the defaults the operator applies; its errors when it does not validate. */
  private async spec(ns: string, name: string): Promise<{ fd: FrappeDeployment; raw: KubeObject }> {
    const raw = await this.frappeDeployment(ns, name);
    const parsed = parseFrappeDeployment(raw);
    if (!parsed.ok) {
      throw new LoadtestError(
        "kubeApi",
        `FrappeDeployment ${ns}/${name} does not validate (the operator reports it as ` +
          `InvalidSpec): ${parsed.errors.join("; ")}`,
      );
    }
    return { fd: parsed.value, raw };
  }

  async benchTarget(ns: string, name: string): Promise<BenchTarget> {
    const { fd, raw } = await this.spec(ns, name);
    const deployments = await this.workerDeployments(ns, name);
    const redis = await this.queueRedis(fd);
    return {
      tenant: `${ns}/${name}`,
      // What the operator wrote to common_site_config (status), else what it will write.
      benchId: raw.status?.benchId ?? benchIdOf(fd),
      redisUrl: redis.url,
      redisPassword: redis.password,
      redisPasswordMissing: redis.missing,
      site: fd.spec.sites[0]?.name,
      siteCount: fd.spec.sites.length,
      frappeVersion: Number(fd.spec.frappeVersion),
      queueTimeouts: Object.fromEntries(customQueues(fd).map((q) => [q.name, q.timeout])),
      workers: await Promise.all(deployments.map((d) => this.workerInfo(fd, d))),
    };
  }
}
