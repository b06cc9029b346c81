/**
 * The few API calls the agent makes, over the project's transport (kube/).
 * Nodes, pod status, pod deletion with a grace period and Leases use raw
 * paths: they are kubelet verbs the operator's client does not need.
 */
import { KubeClient } from "../../kube/client.ts";
import { isConflict, isNotFound } from "../../kube/errors.ts";
import { HttpTransport } from "../../kube/http_transport.ts";
import { loadKubeconfig } from "../../kube/kubeconfig.ts";
import { MERGE_PATCH, type Transport } from "../../kube/transport.ts";
import type { KubeObject } from "../../kube/types.ts";

export class AgentApi {
  constructor(readonly transport: Transport, readonly client = new KubeClient(transport)) {}

  static async fromKubeconfig(path: string): Promise<AgentApi> {
    const cfg = await loadKubeconfig({ path, readTextFile: Deno.readTextFile });
    return new AgentApi(
      new HttpTransport({ ...cfg.connection, userAgent: "frappe-op-node-agent" }),
    );
  }

  async get(path: string): Promise<KubeObject | undefined> {
    try {
      return await this.transport.request({ method: "GET", path }) as KubeObject;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  create(collection: string, body: unknown): Promise<unknown> {
    return this.transport.request({ method: "POST", path: collection, body });
  }

  put(path: string, body: unknown): Promise<unknown> {
    return this.transport.request({ method: "PUT", path, body });
  }

  mergePatch(path: string, body: unknown): Promise<unknown> {
    return this.transport.request({ method: "PATCH", path, body, contentType: MERGE_PATCH });
  }

  patchPodStatus(ns: string, name: string, status: unknown): Promise<unknown> {
    return this.mergePatch(`/api/v1/namespaces/${ns}/pods/${name}/status`, { status });
  }

  /** DELETE with gracePeriodSeconds 0 and the uid as precondition, as the kubelet finishes a pod. */
  async deletePodNow(ns: string, name: string, uid: string): Promise<void> {
    const body = {
      apiVersion: "v1",
      kind: "DeleteOptions",
      gracePeriodSeconds: 0,
      preconditions: { uid },
    };
    try {
      await this.transport.request({
        method: "DELETE",
        path: `/api/v1/namespaces/${ns}/pods/${name}`,
        body,
      });
    } catch (err) {
      // Gone already, or a new pod of the same name (uid precondition): nothing to do.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /** A key of a Secret or ConfigMap, decoded; undefined when either is missing. */
  async lookup(kind: "Secret" | "ConfigMap", ns: string, name: string, key: string) {
    const plural = kind === "Secret" ? "secrets" : "configmaps";
    const obj = await this.get(`/api/v1/namespaces/${ns}/${plural}/${name}`);
    if (kind === "ConfigMap") return obj?.data?.[key] as string | undefined;
    const b64 = obj?.data?.[key] as string | undefined;
    return b64 === undefined ? undefined : new TextDecoder().decode(decodeBase64(b64));
  }
}

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}
