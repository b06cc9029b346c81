/** Status of a FrappeDeployment: written only by the operator, read by `frappe-op status`. */
import { z } from "zod";

export const PHASES = ["Pending", "Progressing", "Ready", "Degraded"] as const;
export type Phase = typeof PHASES[number];

/** Standard metav1.Condition. */
export const conditionSchema = z.object({
  type: z.string().max(316)
    .describe("Ready, Progressing, Degraded, KedaAvailable, Autoscaling or QueuesObserved."),
  status: z.enum(["True", "False", "Unknown"]).describe("Whether the condition holds."),
  reason: z.string().max(1024).describe("One word (CamelCase) saying why."),
  message: z.string().max(32768).describe("What happened, for a person."),
  lastTransitionTime: z.string().describe("When status last changed."),
  observedGeneration: z.number().int().min(0).optional()
    .describe("metadata.generation the condition was computed from."),
}).describe("A standard Kubernetes condition.");

const componentStatus = z.object({
  name: z.string().describe("Component (app.kubernetes.io/component), e.g. gunicorn."),
  ready: z.number().int().min(0).describe("Ready pods."),
  desired: z.number().int().min(0).describe("Pods asked for."),
});

const workerStatus = z.object({
  type: z.string().describe("short, long, default or a custom worker name."),
  mode: z.enum(["autoscaled", "static", "static-fallback"]).describe(
    "autoscaled: KEDA scales it; static: spec replicas; static-fallback: autoscaling asked " +
      "for but KEDA is not installed.",
  ),
  replicas: z.number().int().min(0).describe("spec.replicas of the worker Deployment."),
  readyReplicas: z.number().int().min(0).describe("Ready worker pods."),
  queueDepth: z.number().int().min(0).optional().describe(
    "Jobs waiting in the queues this worker serves (LLEN of rq:queue:<benchId>:<queue>, summed), " +
      "as the operator last read them from the queue Redis; absent when it could not " +
      "(see the QueuesObserved condition).",
  ),
  running: z.number().int().min(0).optional().describe(
    "Jobs being executed from those queues (ZCARD of rq:wip:<benchId>:<queue>, summed).",
  ),
});

const siteStatus = z.object({
  name: z.string().describe("Site name."),
  phase: z.enum(["Pending", "Creating", "Ready", "Failed"])
    .describe("Where its new-site Job is."),
});

export const statusSchema = z.object({
  observedGeneration: z.number().int().min(0).optional()
    .describe("metadata.generation this status describes."),
  phase: z.enum(PHASES).optional().describe("Summary of the conditions."),
  benchId: z.string().optional().describe("bench_id: the queues are rq:queue:<benchId>:<queue>."),
  conditions: z.array(conditionSchema).optional().meta({
    description: "Ready, Progressing, Degraded, KedaAvailable, Autoscaling, QueuesObserved.",
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["type"],
  }),
  components: z.array(componentStatus).optional()
    .describe("Ready and desired pods of each Deployment and StatefulSet."),
  workers: z.array(workerStatus).optional()
    .describe("Each worker type: mode, replicas and queue depth."),
  sites: z.array(siteStatus).optional().describe("Each site and whether it exists yet."),
  imageMigrated: z.string().optional().describe("Last image whose migrate Job succeeded."),
});

export type FrappeDeploymentStatus = z.output<typeof statusSchema>;
export type WorkerStatus = z.output<typeof workerStatus>;
