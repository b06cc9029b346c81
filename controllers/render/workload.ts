/** A Deployment (+ optional Service) running one Frappe process from the bench image. */
import type { FrappeDeployment } from "../../apis/frappedeployment.ts";
import type { Resources } from "../../apis/k8s_schema.ts";
import type { KubeObject } from "../../kube/types.ts";
import {
  frappeContainerBase,
  frappePodTemplate,
  objectMeta,
  resourcesOr,
  selectorLabels,
  service,
} from "./common.ts";

export interface FrappeProcess {
  name: string;
  component: string;
  replicas: number;
  /** Exec-form args handed to the image's entrypoint (which links the built assets). */
  args: string[];
  port?: number;
  env?: Record<string, unknown>[];
  resources?: Resources;
  strategy?: Record<string, unknown>;
}

function probes(port: number | undefined): Record<string, unknown> {
  if (port === undefined) return {};
  return {
    readinessProbe: { tcpSocket: { port }, initialDelaySeconds: 5, periodSeconds: 10 },
    livenessProbe: {
      tcpSocket: { port },
      initialDelaySeconds: 30,
      periodSeconds: 20,
      failureThreshold: 6,
    },
  };
}

export function frappeContainer(fd: FrappeDeployment, p: FrappeProcess): Record<string, unknown> {
  return {
    name: p.component,
    ...frappeContainerBase(fd),
    args: p.args,
    env: p.env ?? [],
    ...(p.port === undefined
      ? {}
      : { ports: [{ name: "tcp", containerPort: p.port, protocol: "TCP" }] }),
    ...probes(p.port),
    resources: resourcesOr(p.resources),
  };
}

/** The Deployment, and a Service when the process listens on a port. */
export function buildFrappeProcess(fd: FrappeDeployment, p: FrappeProcess): KubeObject[] {
  const deployment: KubeObject = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: objectMeta(fd, p.name, p.component),
    spec: {
      replicas: p.replicas,
      ...(p.strategy ? { strategy: p.strategy } : {}),
      selector: { matchLabels: selectorLabels(fd, p.component) },
      template: frappePodTemplate(fd, p.component, [frappeContainer(fd, p)]),
    },
  };
  if (p.port === undefined) return [deployment];
  return [service(fd, p.name, p.component, p.port), deployment];
}
