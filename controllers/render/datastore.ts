/** Shared shape of the single-replica data stores (MariaDB, Redis). */
import type { FrappeDeployment } from "../../apis/frappedeployment.ts";
import type { Resources } from "../../apis/k8s_schema.ts";
import type { KubeObject } from "../../kube/types.ts";
import {
  compact,
  containerSecurityContext,
  labels,
  objectMeta,
  podSpecDefaults,
  resourcesOr,
  selectorLabels,
} from "./common.ts";

/** uid of the `mysql` / `redis` users in the official images. */
export const DATASTORE_UID = 999;

export interface DataStore {
  name: string;
  component: string;
  image: string;
  port: number;
  command?: string[];
  args: string[];
  env: Record<string, unknown>[];
  resources?: Resources;
  /** Persistent data: mount path and claim size; none means an emptyDir-free Deployment. */
  volume?: { mountPath: string; size: string | number; storageClassName?: string };
}

function container(ds: DataStore): Record<string, unknown> {
  const probe = { tcpSocket: { port: ds.port }, periodSeconds: 10 };
  return compact({
    name: ds.component,
    image: ds.image,
    imagePullPolicy: "IfNotPresent",
    command: ds.command,
    args: ds.args,
    env: ds.env,
    ports: [{ name: "tcp", containerPort: ds.port, protocol: "TCP" }],
    readinessProbe: { ...probe, initialDelaySeconds: 5 },
    livenessProbe: { ...probe, initialDelaySeconds: 30, failureThreshold: 6 },
    resources: resourcesOr(ds.resources),
    securityContext: containerSecurityContext(),
    volumeMounts: ds.volume ? [{ name: "data", mountPath: ds.volume.mountPath }] : undefined,
  });
}

function podTemplate(fd: FrappeDeployment, ds: DataStore): Record<string, unknown> {
  return {
    metadata: {
      labels: labels(fd, ds.component),
      annotations: fd.spec.podAnnotations,
    },
    spec: { ...podSpecDefaults(fd, DATASTORE_UID), containers: [container(ds)] },
  };
}

/** StatefulSet (persistent) or Deployment (cache), always one replica. */
export function dataStoreWorkload(fd: FrappeDeployment, ds: DataStore): KubeObject {
  const selector = { matchLabels: selectorLabels(fd, ds.component) };
  const meta = objectMeta(fd, ds.name, ds.component);
  if (!ds.volume) {
    return {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta,
      spec: {
        replicas: 1,
        strategy: { type: "Recreate" },
        selector,
        template: podTemplate(fd, ds),
      },
    };
  }
  const claim = {
    metadata: { name: "data", labels: labels(fd, ds.component) },
    spec: compact({
      accessModes: ["ReadWriteOnce"],
      storageClassName: ds.volume.storageClassName,
      resources: { requests: { storage: ds.volume.size } },
    }),
  };
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: meta,
    spec: {
      replicas: 1,
      serviceName: ds.name,
      podManagementPolicy: "OrderedReady",
      selector,
      template: podTemplate(fd, ds),
      volumeClaimTemplates: [claim],
      // The StatefulSet controller owns the claims it creates: under Delete it
      // points them at the StatefulSet (gone with it), under Retain at nothing.
      persistentVolumeClaimRetentionPolicy: {
        whenDeleted: fd.spec.deletionPolicy,
        whenScaled: "Retain",
      },
    },
  };
}
