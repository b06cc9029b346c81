/**
 * The Node this agent plays kubelet for: registration (Ready, capacity,
 * addresses), the NodeReady heartbeat and the Lease in kube-node-lease.
 */
import { microTime } from "../../kube/clock.ts";
import type { AgentApi } from "./api.ts";

export interface NodeOptions {
  name: string;
  cpu: string;
  memory: string;
  pods: string;
  hostIP: string;
}

export function nodeObject(o: NodeOptions): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: o.name,
      labels: {
        "kubernetes.io/hostname": o.name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "frappe-op.dev/node-agent": "true",
      },
    },
    spec: {},
  };
}

export function nodeStatus(o: NodeOptions, now: string): Record<string, unknown> {
  const resources = { cpu: o.cpu, memory: o.memory, pods: o.pods, "ephemeral-storage": "100Gi" };
  const cond = (type: string, status: string, reason: string) => ({
    type,
    status,
    reason,
    message: `frappe-op node agent: ${reason}`,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  return {
    capacity: resources,
    allocatable: resources,
    addresses: [{ type: "InternalIP", address: o.hostIP }, { type: "Hostname", address: o.name }],
    conditions: [
      cond("Ready", "True", "KubeletReady"),
      cond("MemoryPressure", "False", "KubeletHasSufficientMemory"),
      cond("DiskPressure", "False", "KubeletHasNoDiskPressure"),
      cond("PIDPressure", "False", "KubeletHasSufficientPID"),
    ],
    nodeInfo: {
      kubeletVersion: "v0.0.0-frappe-op-node-agent",
      kubeProxyVersion: "",
      operatingSystem: "linux",
      architecture: "amd64",
      containerRuntimeVersion: "node-agent://0",
      osImage: "frappe-op node agent",
      kernelVersion: "",
      machineID: "",
      systemUUID: "",
      bootID: "",
    },
    daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
  };
}

/** Taints the node lifecycle controller would remove once the node is Ready. */
export const CONDITION_TAINTS = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"];

/**
 * Creates the Node when missing, reports its status, and drops the not-ready
 * taint the apiserver's admission put on the new Node: the controller that
 * would remove it (nodelifecycle) is not run locally.
 */
export async function registerNode(api: AgentApi, o: NodeOptions): Promise<void> {
  const path = `/api/v1/nodes/${o.name}`;
  if (!(await api.get(path))) await api.create("/api/v1/nodes", nodeObject(o));
  await heartbeat(api, o);
  const node = await api.get(path);
  const taints: { key: string }[] = node?.spec?.taints ?? [];
  const kept = taints.filter((t) => !CONDITION_TAINTS.includes(t.key));
  if (kept.length !== taints.length) await api.mergePatch(path, { spec: { taints: kept } });
}

export async function heartbeat(api: AgentApi, o: NodeOptions): Promise<void> {
  await api.mergePatch(`/api/v1/nodes/${o.name}/status`, {
    status: nodeStatus(o, new Date().toISOString().replace(/\.\d{3}Z$/, "Z")),
  });
}

/** Creates or renews `kube-node-lease/<node>` (holder = node, 40 s). */
export async function renewLease(api: AgentApi, node: string): Promise<void> {
  const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node}`;
  const spec = { holderIdentity: node, leaseDurationSeconds: 40, renewTime: microTime(Date.now()) };
  const lease = await api.get(path);
  if (!lease) {
    await api.create("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: node, namespace: "kube-node-lease" },
      spec,
    });
    return;
  }
  await api.put(path, { ...lease, spec: { ...lease.spec, ...spec } });
}
