/**
 * NetworkPolicies isolating a tenant's data: only this FrappeDeployment's
 * pods reach its MariaDB (3306) and Redis (6379). The queue Redis also
 * admits the operator (queue depth in status) and KEDA's operator (the
 * scaler polls the queue length), each only from its own namespace.
 */
import type { FrappeDeployment } from "../../apis/frappedeployment.ts";
import type { KubeObject } from "../../kube/types.ts";
import { childName } from "../../apis/naming.ts";
import { objectMeta, selectorLabels } from "./common.ts";
import type { RenderContext } from "./context.ts";
import { MARIADB_PORT, REDIS_PORT } from "./site_config.ts";

export const DEFAULT_KEDA_NAMESPACE = "keda";
type Peer = Record<string, unknown>;

function fromNamespace(namespace: string, podName: string): Peer {
  return {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
    podSelector: { matchLabels: { "app.kubernetes.io/name": podName } },
  };
}

function policy(fd: FrappeDeployment, component: string, port: number, from: Peer[]): KubeObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: objectMeta(fd, childName([fd.metadata.name, component]), "network-policy"),
    spec: {
      podSelector: { matchLabels: selectorLabels(fd, component) },
      policyTypes: ["Ingress"],
      ingress: [{ from, ports: [{ protocol: "TCP", port }] }],
    },
  };
}

export function buildNetworkPolicies(fd: FrappeDeployment, ctx: RenderContext): KubeObject[] {
  if (!fd.spec.networkPolicy.enabled) return [];
  const ownPods: Peer = {
    podSelector: {
      matchLabels: {
        "app.kubernetes.io/name": "frappe",
        "app.kubernetes.io/instance": fd.metadata.name,
      },
    },
  };
  const queuePeers: Peer[] = [ownPods];
  if (ctx.operatorNamespace) queuePeers.push(fromNamespace(ctx.operatorNamespace, "frappe-op"));
  if (ctx.kedaAvailable) {
    queuePeers.push(fromNamespace(ctx.kedaNamespace ?? DEFAULT_KEDA_NAMESPACE, "keda-operator"));
  }
  const out: KubeObject[] = [];
  if (fd.spec.database.managed) out.push(policy(fd, "mariadb", MARIADB_PORT, [ownPods]));
  if (fd.spec.redis.queue.managed) out.push(policy(fd, "redis-queue", REDIS_PORT, queuePeers));
  if (fd.spec.redis.cache.managed) out.push(policy(fd, "redis-cache", REDIS_PORT, [ownPods]));
  return out;
}
