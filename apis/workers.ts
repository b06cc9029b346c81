/**
 * `spec.workers`: the RQ worker Deployments of a bench and how each scales.
 *
 * Validation is written twice on purpose: zod (what `deno` parses, used by the
 * reconciler and `frappe-op render`) and CEL `x-kubernetes-validations` carried
 * through `.meta()` into the CRD's openAPIV3Schema, so the API server rejects
 * the same mistakes with the same message before they reach the operator.
 * Ranges are plain JSON-schema `minimum`s; only cross-field rules are CEL.
 *
 * `autoscaling.enabled` has NO default, in zod or in the CRD: "absent" means
 * "the user did not choose", which is how `applyAutoscalingDefault` tells an
 * explicit `false` from an unset field (see apis/autoscaling_default.ts).
 */
import { z } from "zod";
import { cel, DNS_LABEL_PATTERN as DNS_LABEL, resourcesSchema } from "./k8s_schema.ts";
import { COMPONENT_DEPLOYMENTS } from "./naming.ts";
import {
  BUILTIN_QUEUES,
  BUILTIN_TIMEOUTS,
  type BuiltinQueue,
  GRACE_MARGIN_SECONDS as MARGIN,
} from "./queues.ts";

/** `worker-<name>` must fit a 63-char label value (`app.kubernetes.io/component`). */
export const CUSTOM_NAME_MAX = 56;
export const CUSTOM_WORKERS_MAX = 20;
export const QUEUES_PER_WORKER_MAX = 10;

interface Defaults {
  replicas: number;
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
  min: number;
  max: number;
  queueLength: number;
  cooldown: number;
}

/** Per-type defaults (REQUEST.md "Resource Specifications"). */
export const WORKER_DEFAULTS: Record<BuiltinQueue | "custom", Defaults> = {
  short: {
    replicas: 1,
    requests: { cpu: "500m", memory: "1Gi" },
    limits: { cpu: "1000m", memory: "2Gi" },
    min: 0,
    max: 10,
    queueLength: 5,
    cooldown: 60,
  },
  long: {
    replicas: 1,
    requests: { cpu: "2000m", memory: "4Gi" },
    limits: { cpu: "4000m", memory: "8Gi" },
    min: 0,
    max: 5,
    queueLength: 1,
    cooldown: 120,
  },
  // Scheduled jobs land in `default`: if it is ever autoscaled, keep one up.
  default: {
    replicas: 1,
    requests: { cpu: "200m", memory: "512Mi" },
    limits: { cpu: "500m", memory: "1Gi" },
    min: 1,
    max: 5,
    queueLength: 5,
    cooldown: 120,
  },
  // Custom queues usually exist for one kind of heavier job: scale like long.
  custom: {
    replicas: 1,
    requests: { cpu: "200m", memory: "512Mi" },
    limits: { cpu: "500m", memory: "1Gi" },
    min: 0,
    max: 5,
    queueLength: 1,
    cooldown: 120,
  },
};

/**
 * 15 s, half of KEDA's own default (30 s, FACTS.md section 7): the first job
 * after idle then waits at most ~15 s for KEDA to notice it, inside the
 * "scaling decision < 30 s" target with room for pod start. One LLEN/ZCARD
 * per queue every 15 s is negligible load on the bench's own Redis.
 */
export const DEFAULT_POLLING_INTERVAL = 15;

const count = (field: string, min: number) =>
  z.int().min(min, `${field} must be >= ${min}`).max(1000, `${field} must be <= 1000`);

function autoscalingSchema(d: Defaults) {
  const schema = z.object({
    enabled: z.boolean().optional().meta({
      description: "Scale this worker with KEDA from queue depth. Unset: off, unless the " +
        "operator runs with autoscaling on by default for new FrappeDeployments.",
    }),
    minReplicas: count("minReplicas", 0).default(d.min)
      .meta({ description: "Replicas when the queue is idle (0 = scale to zero)." }),
    maxReplicas: count("maxReplicas", 1).default(d.max)
      .meta({ description: "Upper bound on replicas." }),
    pollingInterval: z.int().min(1, "pollingInterval must be >= 1 second").max(3600)
      .default(DEFAULT_POLLING_INTERVAL)
      .meta({ description: "Seconds between KEDA's queue checks (default 15; KEDA's own is 30)." }),
    cooldownPeriod: z.int().min(0, "cooldownPeriod must be >= 0 seconds").max(86400)
      .default(d.cooldown)
      .meta({ description: "Seconds without jobs before scaling down to minReplicas." }),
    queueLength: z.int().min(1, "queueLength must be >= 1 job").max(10000)
      .default(d.queueLength)
      .meta({ description: "Target waiting jobs per replica (KEDA listLength)." }),
  })
    .refine((a) => a.minReplicas <= a.maxReplicas, {
      message: "minReplicas must be <= maxReplicas",
      path: ["minReplicas"],
    });
  return cel(schema, [{
    rule: "!has(self.minReplicas) || !has(self.maxReplicas) || " +
      "self.minReplicas <= self.maxReplicas",
    message: "minReplicas must be <= maxReplicas",
  }]).describe(
    "KEDA scaling from queue depth: a ScaledObject with Redis triggers on the waiting " +
      "(rq:queue:<benchId>:<queue>) and running (rq:wip:...) jobs of the queues served.",
  );
}

const resources = (d: Defaults) =>
  resourcesSchema.default({ requests: { ...d.requests }, limits: { ...d.limits } })
    .meta({ description: "Container resources; replaces the per-type default as a whole." });

const queueName = z.string().max(CUSTOM_NAME_MAX)
  .regex(DNS_LABEL, "queue names must be DNS labels (lowercase letters, digits, '-')");
const queueList = z.array(queueName).min(1, "a worker must serve at least one queue")
  .max(QUEUES_PER_WORKER_MAX)
  .refine((qs) => new Set(qs).size === qs.length, { message: "queues must not repeat" })
  .meta({ "x-kubernetes-list-type": "set" });

function workerFields(d: Defaults) {
  return {
    replicas: count("replicas", 0).default(d.replicas)
      .meta({ description: "Replicas when not autoscaled." }),
    resources: resources(d),
    terminationGracePeriodSeconds: z.int().min(1).max(86400).optional().meta({
      description: `Override; must be >= the job timeout of every queue served + ${MARGIN} s ` +
        `(the default), so a scale-down never kills a running job.`,
    }),
    autoscaling: autoscalingSchema(d).prefault({}),
  };
}

function builtinWorker(type: BuiltinQueue) {
  return z.object({
    ...workerFields(WORKER_DEFAULTS[type]),
    queues: queueList.default([type])
      .meta({ description: `Queues served, in priority order (default [${type}]).` }),
  }).describe(
    `The ${type} worker Deployment (bench worker; job timeout ${BUILTIN_TIMEOUTS[type]} s).`,
  );
}

const RESERVED = `['${BUILTIN_QUEUES.join("', '")}']`;
const COMPONENTS = `['${COMPONENT_DEPLOYMENTS.join("', '")}']`;
const COLLIDING_MSG = `custom worker names must not be ${COMPONENT_DEPLOYMENTS.join(", ")} ` +
  "or start with worker-: <fd>-worker-<name> would be the name of a Deployment of a " +
  "FrappeDeployment named <fd>-worker";

/** Whether `<fd>-worker-<name>` could be a child of a FrappeDeployment named `<fd>-worker`. */
export function collidesWithComponent(name: string): boolean {
  return (COMPONENT_DEPLOYMENTS as readonly string[]).includes(name) || name.startsWith("worker-");
}

export const customWorkerSchema = cel(
  z.object({
    name: z.string().min(1).max(
      CUSTOM_NAME_MAX,
      `custom worker names must be <= ${CUSTOM_NAME_MAX}`,
    )
      .regex(DNS_LABEL, "custom worker names must be DNS labels (lowercase letters, digits, '-')")
      .refine((n) => !(BUILTIN_QUEUES as readonly string[]).includes(n), {
        message: "custom worker names must not be short, long or default",
      })
      .refine((n) => !collidesWithComponent(n), { message: COLLIDING_MSG })
      .meta({ description: "Worker type and the custom queue it declares (a DNS label)." }),
    timeout: z.int({ error: "timeout (seconds) is required for a custom queue" })
      .min(1, "timeout must be >= 1 second").max(86400)
      .meta({ description: "Job timeout in seconds of the custom queue (required)." }),
    ...workerFields(WORKER_DEFAULTS.custom),
    queues: queueList.optional()
      .meta({ description: "Queues served (default [name])." }),
  }),
  [{
    rule: `!(self.name in ${RESERVED})`,
    message: "custom worker names must not be short, long or default",
  }, {
    rule: `!(self.name in ${COMPONENTS}) && !self.name.startsWith('worker-')`,
    message: COLLIDING_MSG,
  }],
);

/** CEL: the job timeout of queue `q`, seen from `spec.workers`. */
const celTimeout = (q: string) =>
  `(${q} == 'long' ? ${BUILTIN_TIMEOUTS.long} : (${q} == 'short' || ${q} == 'default') ? ` +
  `${BUILTIN_TIMEOUTS.short} : (self.custom.exists(c, c.name == ${q}) ? ` +
  `self.custom.filter(c, c.name == ${q})[0].timeout : 0))`;
const celDeclared = (q: string) => `(${q} in ${RESERVED} || self.custom.exists(c, c.name == ${q}))`;
const DECLARED_MSG = "serves an undeclared queue: use short, long, default or a custom worker name";
const GRACE_MSG = `terminationGracePeriodSeconds must be >= the job timeout + ${MARGIN} s of ` +
  `every queue it serves (short/default ${BUILTIN_TIMEOUTS.short + MARGIN} s, long ` +
  `${BUILTIN_TIMEOUTS.long + MARGIN} s, custom: its timeout + ${MARGIN} s)`;

function celRules() {
  const rules = BUILTIN_QUEUES.flatMap((t) => [
    {
      rule: `self.${t}.queues.all(q, ${celDeclared("q")})`,
      message: `${t} worker ${DECLARED_MSG}`,
    },
    {
      rule: `!has(self.${t}.terminationGracePeriodSeconds) || self.${t}.queues.all(q, ` +
        `self.${t}.terminationGracePeriodSeconds >= ${celTimeout("q")} + ${MARGIN})`,
      message: `${t} worker: ${GRACE_MSG}`,
    },
  ]);
  const served = "(has(w.queues) ? w.queues : [w.name])";
  return [
    ...rules,
    {
      rule: "!(has(self.default.autoscaling.enabled) && self.default.autoscaling.enabled) || " +
        "self.default.autoscaling.minReplicas >= 1",
      message: "default worker: autoscaling.minReplicas must be >= 1 (scheduled jobs land in " +
        "the default queue)",
    },
    {
      rule: `self.custom.all(w, ${served}.all(q, ${celDeclared("q")}))`,
      message: `a custom worker ${DECLARED_MSG}`,
    },
    {
      rule: `self.custom.all(w, !has(w.terminationGracePeriodSeconds) || ${served}.all(q, ` +
        `w.terminationGracePeriodSeconds >= ${celTimeout("q")} + ${MARGIN}))`,
      message: `custom worker: ${GRACE_MSG}`,
    },
  ];
}

const workersObject = z.object({
  short: builtinWorker("short").prefault({}),
  long: builtinWorker("long").prefault({}),
  default: builtinWorker("default").prefault({}),
  custom: z.array(customWorkerSchema).max(CUSTOM_WORKERS_MAX).default([]).meta({
    description: "Extra worker types, each declaring one custom queue with its timeout.",
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["name"],
  }),
});

/** `spec.workers`, mounted by apis/frappedeployment.ts. */
export const workersSchema = cel(workersObject.superRefine(checkWorkers), celRules()).describe(
  "RQ worker Deployments, one per worker type (short, long, default, custom), and how each " +
    "scales.",
);

/** Parsed `spec.workers` (defaults applied). */
export type Workers = z.output<typeof workersObject>;
/** `spec.workers` as a user may write it. */
export type WorkersInput = z.input<typeof workersObject>;
export type CustomWorker = z.output<typeof customWorkerSchema>;
export type WorkerSpec = Workers["short"] | CustomWorker;
export type Autoscaling = Workers["short"]["autoscaling"];

function checkWorkers(w: Workers, ctx: z.RefinementCtx): void {
  const timeouts = new Map<string, number>(Object.entries(BUILTIN_TIMEOUTS));
  const seen = new Set<string>();
  w.custom.forEach((c, i) => {
    if (seen.has(c.name)) {
      ctx.addIssue({
        code: "custom",
        path: ["custom", i, "name"],
        message: `custom worker "${c.name}" is defined twice`,
      });
    }
    seen.add(c.name);
    timeouts.set(c.name, c.timeout);
  });
  const entries: [(string | number)[], WorkerSpec, string[]][] = [
    ...BUILTIN_QUEUES.map((t): [string[], WorkerSpec, string[]] => [[t], w[t], w[t].queues]),
    ...w.custom.map((c, i): [(string | number)[], WorkerSpec, string[]] => [
      ["custom", i],
      c,
      c.queues ?? [c.name],
    ]),
  ];
  for (const [path, spec, queues] of entries) {
    const label = path.join(".");
    for (const q of queues) {
      const t = timeouts.get(q);
      if (t === undefined) {
        ctx.addIssue({
          code: "custom",
          path: [...path, "queues"],
          message: `${label} worker serves undeclared queue "${q}": use short, long, default ` +
            "or a custom worker name",
        });
      } else if (
        spec.terminationGracePeriodSeconds !== undefined &&
        spec.terminationGracePeriodSeconds < t + MARGIN
      ) {
        ctx.addIssue({
          code: "custom",
          path: [...path, "terminationGracePeriodSeconds"],
          message: `${label} worker: terminationGracePeriodSeconds ` +
            `${spec.terminationGracePeriodSeconds} is below the ${t} s timeout of queue "${q}" ` +
            `+ ${MARGIN} s (${t + MARGIN} s)`,
        });
      }
    }
  }
  if (w.default.autoscaling.enabled === true && w.default.autoscaling.minReplicas < 1) {
    ctx.addIssue({
      code: "custom",
      path: ["default", "autoscaling", "minReplicas"],
      message: "default worker: autoscaling.minReplicas must be >= 1 (scheduled jobs land in " +
        "the default queue)",
    });
  }
}
