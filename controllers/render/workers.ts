/**
 * Worker Deployments (one per type: short, long, default, each custom) and,
 * for autoscaled ones when KEDA is installed, their ScaledObjects plus the
 * shared TriggerAuthentication.
 *
 * - `args: [bench, worker, --queue, a,b]`, exec form (never worker-pool: it
 *   starts a scheduler thread per pod; no shell, no preStop), so the one
 *   SIGTERM from the kubelet reaches RQ: warm shutdown, the job finishes.
 * - terminationGracePeriodSeconds >= the longest job timeout served + 60 s.
 * - Autoscaled: no `spec.replicas` (KEDA's HPA owns it; the reconciler hands
 *   the field over, see docs/autoscaling.md); static: replicas explicit.
 */
import { benchIdOf, type FrappeDeployment } from "../../apis/frappedeployment.ts";
import type { KubeObject } from "../../kube/types.ts";
import { BUILTIN_QUEUES, servedQueues, type WorkerQueues } from "../../apis/queues.ts";
import type { Autoscaling, WorkerSpec } from "../../apis/workers.ts";
import {
  compact,
  frappeContainerBase,
  frappePodTemplate,
  objectMeta,
  resourcesOr,
  selectorLabels,
} from "./common.ts";
import type { RenderContext } from "./context.ts";
import { renderScaledObject } from "./scaledobjects.ts";
import {
  queueRedisConnection,
  renderTriggerAuthentication,
  triggerAuthName,
} from "./triggerauth.ts";
import { WORKER_LABEL, workerComponent, workerDeploymentName } from "./worker_names.ts";

export { servedQueues } from "../../apis/queues.ts";

/** Replicas the reconciler applies once, through its replicas field manager, before KEDA takes over. */
export const INITIAL_REPLICAS_ANNOTATION = "frappe-op.dev/initial-replicas";
/** Marks a Deployment whose `spec.replicas` the operator does not own. */
export const REPLICAS_MANAGED_BY_ANNOTATION = "frappe-op.dev/replicas-managed-by";

/**
 * autoscaled: KEDA scales it. static: `replicas` from spec. static-fallback:
 * autoscaling asked for but KEDA is not installed: max(minReplicas, 1)
 * replicas so jobs still run (the reconciler reports KedaAvailable=False).
 */
export type WorkerMode = "autoscaled" | "static" | "static-fallback";

export interface WorkerModeInfo {
  type: string;
  mode: WorkerMode;
  /** Replicas the operator sets; absent when autoscaled. */
  replicas?: number;
  /** Bounds KEDA works within, when autoscaled. */
  minReplicas?: number;
  maxReplicas?: number;
}

interface Worker {
  type: string;
  spec: WorkerSpec;
}

function workerList(fd: FrappeDeployment): Worker[] {
  const w = fd.spec.workers;
  return [
    ...BUILTIN_QUEUES.map((type) => ({ type, spec: w[type] as WorkerSpec })),
    ...w.custom.map((c) => ({ type: c.name, spec: c as WorkerSpec })),
  ];
}

function modeOf(spec: WorkerSpec, kedaAvailable: boolean): Omit<WorkerModeInfo, "type"> {
  const a: Autoscaling = spec.autoscaling;
  if (a.enabled !== true) return { mode: "static", replicas: spec.replicas };
  if (!kedaAvailable) return { mode: "static-fallback", replicas: Math.max(a.minReplicas, 1) };
  return { mode: "autoscaled", minReplicas: a.minReplicas, maxReplicas: a.maxReplicas };
}

/** Per worker type: how it is scaled (for status and the KedaAvailable condition). */
export function workerModes(fd: FrappeDeployment, ctx: RenderContext): WorkerModeInfo[] {
  return workerList(fd).map(({ type, spec }) => ({ type, ...modeOf(spec, ctx.kedaAvailable) }));
}

function workerDeployment(
  fd: FrappeDeployment,
  spec: WorkerSpec,
  queues: WorkerQueues,
  mode: Omit<WorkerModeInfo, "type">,
): KubeObject {
  const type = queues.type;
  const component = workerComponent(type);
  const autoscaled = mode.mode === "autoscaled";
  const workerLabel = { [WORKER_LABEL]: type };
  const container = {
    name: "worker",
    ...frappeContainerBase(fd),
    // args, not command: the image's entrypoint links assets, then execs these.
    args: ["bench", "worker", "--queue", queues.queues.join(",")],
    resources: resourcesOr(spec.resources),
  };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: objectMeta(fd, workerDeploymentName(fd, type), component, {
      labels: workerLabel,
      annotations: autoscaled
        ? {
          [INITIAL_REPLICAS_ANNOTATION]: String(mode.minReplicas),
          [REPLICAS_MANAGED_BY_ANNOTATION]: "keda",
        }
        : undefined,
    }),
    spec: compact({
      replicas: autoscaled ? undefined : mode.replicas,
      selector: { matchLabels: { ...selectorLabels(fd, component), ...workerLabel } },
      // New pods first: an old worker may take its whole grace period to leave.
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: frappePodTemplate(fd, component, [container], {
        labels: workerLabel,
        terminationGracePeriodSeconds: queues.gracePeriodSeconds,
      }),
    }),
  };
}

/**
 * Every worker Deployment, then a ScaledObject per autoscaled worker, then
 * the TriggerAuthentication when at least one ScaledObject needs it.
 */
export function renderWorkers(fd: FrappeDeployment, ctx: RenderContext): KubeObject[] {
  const served = new Map(servedQueues(fd).workers.map((w) => [w.type, w]));
  const workers = workerList(fd).map((w) => ({ ...w, mode: modeOf(w.spec, ctx.kedaAvailable) }));
  const deployments = workers.map(({ type, spec, mode }) =>
    workerDeployment(fd, spec, queuesOf(served, type), mode)
  );
  const autoscaled = workers.filter((w) => w.mode.mode === "autoscaled");
  if (autoscaled.length === 0) return deployments;
  // Only now: an external Redis URL is parsed only when KEDA has to reach it.
  const benchId = benchIdOf(fd);
  const conn = queueRedisConnection(fd);
  const auth = renderTriggerAuthentication(fd);
  const authName = auth === undefined ? undefined : triggerAuthName(fd);
  const scaledObjects = autoscaled.map(({ type, spec }) =>
    renderScaledObject(
      fd,
      benchId,
      {
        type,
        queues: queuesOf(served, type).queues,
        autoscaling: spec.autoscaling,
      },
      conn,
      authName,
    )
  );
  return [...deployments, ...scaledObjects, ...(auth === undefined ? [] : [auth])];
}

function queuesOf(served: Map<string, WorkerQueues>, type: string): WorkerQueues {
  const queues = served.get(type);
  if (queues === undefined) throw new Error(`worker ${type}: no queue list (internal error)`);
  return queues;
}
