/** Status of a FrappeDeployment: written only by the operator, read by `frappe-op status`. */
import { z } from "zod";

export const PHASES = ["Pending", "Progressing", "Ready", "Degraded"] as const;
export type Phase = typeof PHASES[number];

/** Standard metav1.Condition. */
export const conditionSchema = z.object({
  type: z.string().max(316),
  status: z.enum(["True", "False", "Unknown"]),
  reason: z.string().max(1024),
  message: z.string().max(32768),
  lastTransitionTime: z.string(),
  observedGeneration: z.number().int().min(0).optional(),
});

const componentStatus = z.object({
  name: z.string(),
  ready: z.number().int().min(0),
  desired: z.number().int().min(0),
});

const workerStatus = z.object({
  type: z.string().describe("short, long, default or a custom worker name."),
  mode: z.enum(["autoscaled", "static", "static-fallback"]),
  replicas: z.number().int().min(0),
  readyReplicas: z.number().int().min(0),
  queueDepth: z.number().int().min(0).optional().describe("Jobs waiting in the queue(s)."),
  running: z.number().int().min(0).optional().describe("Jobs being executed."),
});

const siteStatus = z.object({
  name: z.string(),
  phase: z.enum(["Pending", "Creating", "Ready", "Failed"]),
});

export const statusSchema = z.object({
  observedGeneration: z.number().int().min(0).optional(),
  phase: z.enum(PHASES).optional(),
  benchId: z.string().optional().describe("bench_id: the queues are rq:queue:<benchId>:<queue>."),
  conditions: z.array(conditionSchema).optional().meta({
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["type"],
  }),
  components: z.array(componentStatus).optional(),
  workers: z.array(workerStatus).optional(),
  sites: z.array(siteStatus).optional(),
  imageMigrated: z.string().optional().describe("Last image whose migrate Job succeeded."),
});

export type FrappeDeploymentStatus = z.output<typeof statusSchema>;
export type WorkerStatus = z.output<typeof workerStatus>;
