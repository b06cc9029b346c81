/**
 * Which RQ queues a bench declares, which worker serves which, and how long a
 * job may run on each: the one answer render (commands, grace periods,
 * ScaledObject triggers), status and loadtest all share.
 *
 * Timeouts are Frappe's (frappe/utils/background_jobs.py): short and default
 * 300 s, long 1500 s; a custom queue declares its own (`workers.<q>.timeout`
 * in common_site_config, `spec.workers.custom[].timeout` here).
 */

export const BUILTIN_QUEUES = ["short", "long", "default"] as const;
export type BuiltinQueue = typeof BUILTIN_QUEUES[number];

export const BUILTIN_TIMEOUTS: Record<BuiltinQueue, number> = {
  short: 300,
  long: 1500,
  default: 300,
};

/**
 * Seconds added to a queue's job timeout for the pod's grace period: RQ's
 * warm shutdown lets the current job finish (at most its timeout), then the
 * worker exits; bench's own supervisor config uses the same 60 s
 * (360 s short, 1560 s long).
 */
export const GRACE_MARGIN_SECONDS = 60;

/** The parts of `spec.workers` this module reads (structural, so both zod input and output fit). */
export interface WorkersQueuesView {
  short: { queues: string[]; terminationGracePeriodSeconds?: number };
  long: { queues: string[]; terminationGracePeriodSeconds?: number };
  default: { queues: string[]; terminationGracePeriodSeconds?: number };
  custom: {
    name: string;
    timeout: number;
    queues?: string[];
    terminationGracePeriodSeconds?: number;
  }[];
}

export interface WorkerQueues {
  /** Worker type: short, long, default or the custom worker's name. */
  type: string;
  /** Queues served, in the order given (RQ's priority order). */
  queues: string[];
  /** Longest job timeout among them, seconds. */
  maxTimeoutSeconds: number;
  /** Pod terminationGracePeriodSeconds to render. */
  gracePeriodSeconds: number;
}

export interface ServedQueues {
  /** One entry per worker type: short, long, default, then custom in spec order. */
  workers: WorkerQueues[];
  /** Every queue the bench declares (built-in + custom), in declaration order. */
  declared: string[];
  /** Job timeout per declared queue, seconds. */
  timeouts: Record<string, number>;
}

/** Queue -> job timeout for every queue the bench declares. */
export function queueTimeouts(workers: WorkersQueuesView): Record<string, number> {
  const timeouts: Record<string, number> = { ...BUILTIN_TIMEOUTS };
  for (const c of workers.custom) timeouts[c.name] = c.timeout;
  return timeouts;
}

/**
 * Queues per worker and per bench. A queue unknown to the bench (only possible
 * when the spec skipped validation) counts with the longest timeout known, so
 * a grace period is never too short.
 */
export function servedQueues(fd: { spec: { workers: WorkersQueuesView } }): ServedQueues {
  const w = fd.spec.workers;
  const timeouts = queueTimeouts(w);
  const fallback = Math.max(...Object.values(timeouts));
  const entry = (
    type: string,
    queues: string[],
    override: number | undefined,
  ): WorkerQueues => {
    const maxTimeoutSeconds = Math.max(...queues.map((q) => timeouts[q] ?? fallback));
    return {
      type,
      queues: [...queues],
      maxTimeoutSeconds,
      gracePeriodSeconds: override ?? maxTimeoutSeconds + GRACE_MARGIN_SECONDS,
    };
  };
  return {
    workers: [
      ...BUILTIN_QUEUES.map((t) => entry(t, w[t].queues, w[t].terminationGracePeriodSeconds)),
      ...w.custom.map((c) => entry(c.name, c.queues ?? [c.name], c.terminationGracePeriodSeconds)),
    ],
    declared: Object.keys(timeouts),
    timeouts,
  };
}
