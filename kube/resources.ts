/**
 * The kinds frappe-op reads or writes, with their REST coordinates. A static
 * table instead of discovery: the operator knows what it manages, and a typo
 * fails loudly instead of becoming a 404 at runtime.
 */

export interface ResourceType {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

const rt = (apiVersion: string, kind: string, plural: string, namespaced = true): ResourceType => ({
  apiVersion,
  kind,
  plural,
  namespaced,
});

export const RESOURCES: readonly ResourceType[] = [
  rt("v1", "ConfigMap", "configmaps"),
  rt("v1", "Secret", "secrets"),
  rt("v1", "Service", "services"),
  rt("v1", "ServiceAccount", "serviceaccounts"),
  rt("v1", "PersistentVolumeClaim", "persistentvolumeclaims"),
  rt("v1", "Pod", "pods"),
  rt("v1", "Event", "events"),
  rt("v1", "Namespace", "namespaces", false),
  rt("apps/v1", "Deployment", "deployments"),
  rt("apps/v1", "StatefulSet", "statefulsets"),
  rt("batch/v1", "Job", "jobs"),
  rt("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets"),
  rt("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies"),
  rt("networking.k8s.io/v1", "Ingress", "ingresses"),
  rt("autoscaling/v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers"),
  rt("coordination.k8s.io/v1", "Lease", "leases"),
  rt("rbac.authorization.k8s.io/v1", "Role", "roles"),
  rt("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings"),
  rt("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", false),
  rt("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", false),
  rt("apiextensions.k8s.io/v1", "CustomResourceDefinition", "customresourcedefinitions", false),
  rt("keda.sh/v1alpha1", "ScaledObject", "scaledobjects"),
  rt("keda.sh/v1alpha1", "TriggerAuthentication", "triggerauthentications"),
  rt("frappe-op.dev/v1alpha1", "FrappeDeployment", "frappedeployments"),
];

const byKind = new Map(RESOURCES.map((r) => [`${r.apiVersion}/${r.kind}`, r]));

/** Adds a kind to the table (tests, or kinds a caller brings). */
export function registerResource(type: ResourceType): void {
  byKind.set(`${type.apiVersion}/${type.kind}`, type);
}

/** The resource type of apiVersion + kind; throws for a kind the table does not know. */
export function resourceFor(apiVersion: string, kind: string): ResourceType {
  const found = byKind.get(`${apiVersion}/${kind}`);
  if (!found) throw new Error(`unknown kind ${kind} (${apiVersion}): add it to kube/resources.ts`);
  return found;
}

export interface PathOptions {
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** REST path of a collection (no name) or an object, optionally a subresource. */
export function resourcePath(type: ResourceType, opts: PathOptions = {}): string {
  const prefix = type.apiVersion.includes("/")
    ? `/apis/${type.apiVersion}`
    : `/api/${type.apiVersion}`;
  const ns = type.namespaced && opts.namespace
    ? `/namespaces/${encodeURIComponent(opts.namespace)}`
    : "";
  if (!type.namespaced && opts.namespace) {
    throw new Error(`${type.kind} is cluster-scoped: no namespace`);
  }
  let path = `${prefix}${ns}/${type.plural}`;
  if (opts.name) path += `/${encodeURIComponent(opts.name)}`;
  if (opts.subresource) {
    if (!opts.name) throw new Error("a subresource needs an object name");
    path += `/${opts.subresource}`;
  }
  return path;
}

/** `namespace/name`, or `name` for cluster-scoped objects: the work queue key. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf("/");
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
