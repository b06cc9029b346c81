/**
 * What every rendered child shares: labels, the controller ownerReference,
 * pod security defaults, scheduling knobs, the Frappe container base.
 * Imported by every render module (workers too): keep these exports stable.
 */
import { API_VERSION, type FrappeDeployment, KIND } from "../../apis/frappedeployment.ts";
import type { Resources } from "../../apis/k8s_schema.ts";
import type { KubeObject, ObjectMeta, OwnerReference } from "../../kube/types.ts";
import { sitesClaimName } from "./names.ts";
import { configHash } from "./site_config.ts";

export { childNames, jobName, serviceHost, sitesClaimName } from "./names.ts";
export { configHash } from "./site_config.ts";

export const BENCH_DIR = "/home/frappe/frappe-bench";
export const SITES_DIR = `${BENCH_DIR}/sites`;
export const SITES_VOLUME = "sites";
export const FRAPPE_UID = 1000;
/** Pod template annotation carrying the config hash: a new config rolls the pods. */
export const CONFIG_HASH_ANNOTATION = "frappe-op.dev/config-hash";
export const MANAGED_BY = "frappe-op";

/** Standard labels of docs/CONTRACT.md. */
export function labels(fd: FrappeDeployment, component: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": "frappe",
    "app.kubernetes.io/instance": fd.metadata.name,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/managed-by": MANAGED_BY,
    "app.kubernetes.io/part-of": "frappe-bench",
  };
}

/** The immutable subset used in selectors. */
export function selectorLabels(fd: FrappeDeployment, component: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": "frappe",
    "app.kubernetes.io/instance": fd.metadata.name,
    "app.kubernetes.io/component": component,
  };
}

export function ownerReference(fd: FrappeDeployment): OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: fd.metadata.name,
    uid: fd.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

export interface MetaExtra {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function objectMeta(
  fd: FrappeDeployment,
  name: string,
  component: string,
  extra: MetaExtra = {},
): ObjectMeta {
  return compact({
    name,
    namespace: fd.metadata.namespace,
    labels: { ...labels(fd, component), ...extra.labels },
    annotations: extra.annotations,
    ownerReferences: [ownerReference(fd)],
  });
}

/**
 * Metadata of the data a FrappeDeployment keeps under `deletionPolicy:
 * Retain` (sites volume, credentials): no ownerReference then, so the
 * garbage collector leaves it; under Delete, the usual controller reference.
 * Server-side apply adds or removes the reference when the policy changes.
 */
export function dataMeta(fd: FrappeDeployment, name: string, component: string): ObjectMeta {
  const meta = objectMeta(fd, name, component);
  if (fd.spec.deletionPolicy === "Retain") delete meta.ownerReferences;
  return meta;
}

/** Container security context: no privilege escalation, no capabilities. */
export function containerSecurityContext(): Record<string, unknown> {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    runAsNonRoot: true,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Pod-level security and scheduling knobs for a pod running as `uid`. */
export function podSpecDefaults(fd: FrappeDeployment, uid = FRAPPE_UID): Record<string, unknown> {
  const s = fd.spec;
  return compact({
    securityContext: {
      runAsNonRoot: true,
      runAsUser: uid,
      runAsGroup: uid,
      fsGroup: uid,
      fsGroupChangePolicy: "OnRootMismatch",
      seccompProfile: { type: "RuntimeDefault" },
    },
    automountServiceAccountToken: false,
    serviceAccountName: s.serviceAccountName,
    imagePullSecrets: s.imagePullSecrets,
    nodeSelector: s.nodeSelector,
    tolerations: s.tolerations,
    affinity: s.affinity,
  });
}

export function sitesVolume(fd: FrappeDeployment): Record<string, unknown> {
  return { name: SITES_VOLUME, persistentVolumeClaim: { claimName: sitesClaimName(fd) } };
}

/** Image, working dir, security and the sites mount of every Frappe container. */
export function frappeContainerBase(fd: FrappeDeployment): Record<string, unknown> {
  return {
    image: fd.spec.image,
    imagePullPolicy: "IfNotPresent",
    workingDir: BENCH_DIR,
    env: [],
    securityContext: containerSecurityContext(),
    volumeMounts: [{ name: SITES_VOLUME, mountPath: SITES_DIR }],
  };
}

/**
 * Pod template of a Frappe process: labels, user podAnnotations plus the
 * config hash, security defaults, the sites volume.
 */
export function frappePodTemplate(
  fd: FrappeDeployment,
  component: string,
  containers: Record<string, unknown>[],
  extra: MetaExtra & { terminationGracePeriodSeconds?: number } = {},
): Record<string, unknown> {
  return {
    metadata: {
      labels: { ...labels(fd, component), ...extra.labels },
      annotations: {
        ...fd.spec.podAnnotations,
        ...extra.annotations,
        [CONFIG_HASH_ANNOTATION]: configHash(fd),
      },
    },
    spec: compact({
      ...podSpecDefaults(fd),
      terminationGracePeriodSeconds: extra.terminationGracePeriodSeconds,
      containers,
      volumes: [sitesVolume(fd)],
    }),
  };
}

/** `resources` for a container: the given one or an empty object. */
export function resourcesOr(resources: Resources | undefined): Record<string, unknown> {
  return compact({ requests: resources?.requests, limits: resources?.limits });
}

/** Drops keys whose value is undefined (server-side apply and YAML want none). */
export function compact<T extends Record<string, unknown>>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

/** A Service selecting one component of this deployment. */
export function service(
  fd: FrappeDeployment,
  name: string,
  component: string,
  port: number,
  headless = false,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: objectMeta(fd, name, component),
    spec: compact({
      clusterIP: headless ? "None" : undefined,
      selector: selectorLabels(fd, component),
      ports: [{ name: "tcp", port, targetPort: port, protocol: "TCP" }],
    }),
  };
}
