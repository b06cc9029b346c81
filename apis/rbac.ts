/**
 * Least-privilege RBAC of the operator. Every rule says why it exists; a
 * verb not listed here is one the operator never uses.
 */
import type { KubeObject } from "../kube/types.ts";
import { GROUP, PLURAL } from "./frappedeployment.ts";

export const OPERATOR_NAMESPACE = "frappe-op-system";
export const OPERATOR_NAME = "frappe-op";
export const OPERATOR_LABELS = {
  "app.kubernetes.io/name": "frappe-op",
  "app.kubernetes.io/part-of": "frappe-op",
};

/** Children: read (watch for drift and readiness), server-side apply (patch; create for the first apply), prune (delete). */
const CHILD_VERBS = ["get", "list", "watch", "create", "patch", "delete"];

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

export const CLUSTER_RULES: PolicyRule[] = [
  // The custom resource: watched to reconcile. `patch`: the one write besides status, the
  // server-side apply of the frappe-op.dev/autoscaling-default annotation (controllers/spec.ts).
  { apiGroups: [GROUP], resources: [PLURAL], verbs: ["get", "list", "watch", "patch"] },
  // Children carry `blockOwnerDeletion: true` in their ownerReference; with the
  // OwnerReferencesPermissionEnforcement admission plugin (OpenShift, hardened clusters) setting it
  // needs `update` on the owner's finalizers subresource. Nothing writes finalizers.
  { apiGroups: [GROUP], resources: [`${PLURAL}/finalizers`], verbs: ["update"] },
  // Status subresource: conditions, phase, workers, observedGeneration (server-side apply).
  { apiGroups: [GROUP], resources: [`${PLURAL}/status`], verbs: ["get", "patch"] },
  // Generated credentials + common_site_config Secrets; reading the user's Secrets by name
  // (external Redis/DB passwords) is done by pods, not the operator.
  { apiGroups: [""], resources: ["secrets"], verbs: CHILD_VERBS },
  // Services of MariaDB, Redis, gunicorn, nginx, socketio.
  { apiGroups: [""], resources: ["services"], verbs: CHILD_VERBS },
  // The sites PVC: never pruned (data goes only with the FrappeDeployment), so no delete.
  {
    apiGroups: [""],
    resources: ["persistentvolumeclaims"],
    verbs: ["get", "list", "watch", "create", "patch"],
  },
  // Events on the FrappeDeployment: read by name, created, and patched when repeated (count).
  { apiGroups: [""], resources: ["events"], verbs: ["get", "create", "patch"] },
  // MariaDB/Redis queue StatefulSets; web, scheduler, worker and Redis cache Deployments.
  { apiGroups: ["apps"], resources: ["statefulsets", "deployments"], verbs: CHILD_VERBS },
  // configure, new-site and migrate Jobs (old ones pruned).
  { apiGroups: ["batch"], resources: ["jobs"], verbs: CHILD_VERBS },
  // Tenant isolation of MariaDB and Redis.
  { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: CHILD_VERBS },
  // KEDA objects for autoscaled workers.
  {
    apiGroups: ["keda.sh"],
    resources: ["scaledobjects", "triggerauthentications"],
    verbs: CHILD_VERBS,
  },
  // Detect whether KEDA is installed (its CRDs exist); never written.
  {
    apiGroups: ["apiextensions.k8s.io"],
    resources: ["customresourcedefinitions"],
    verbs: ["get", "list", "watch"],
  },
];

/** Leader election: one Lease in the operator's own namespace. */
export const LEADER_ELECTION_RULES: PolicyRule[] = [
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"] },
];

const meta = (name: string, namespace?: string) => ({
  name,
  ...(namespace ? { namespace } : {}),
  labels: { ...OPERATOR_LABELS },
});

export function serviceAccount(): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: meta(OPERATOR_NAME, OPERATOR_NAMESPACE),
  };
}

export function clusterRole(): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: meta(OPERATOR_NAME),
    rules: CLUSTER_RULES,
  };
}

function subjects() {
  return [{ kind: "ServiceAccount", name: OPERATOR_NAME, namespace: OPERATOR_NAMESPACE }];
}

export function clusterRoleBinding(): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: meta(OPERATOR_NAME),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: OPERATOR_NAME },
    subjects: subjects(),
  };
}

export function leaderElectionRole(): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: meta(`${OPERATOR_NAME}-leader-election`, OPERATOR_NAMESPACE),
    rules: LEADER_ELECTION_RULES,
  };
}

export function leaderElectionRoleBinding(): KubeObject {
  const name = `${OPERATOR_NAME}-leader-election`;
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: meta(name, OPERATOR_NAMESPACE),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
    subjects: subjects(),
  };
}
