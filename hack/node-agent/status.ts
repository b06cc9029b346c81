/**
 * Pod status as the kubelet reports it, built from what the agent knows
 * about each container (pure): phase, the four standard conditions,
 * containerStatuses, pod and host IP, start time.
 */

export type ContainerState =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | { terminated: { exitCode: number; reason: string; startedAt?: string; finishedAt: string } };

export interface ContainerInfo {
  name: string;
  image: string;
  state: ContainerState;
  lastState?: ContainerState;
  restartCount: number;
}

export type RestartPolicy = "Always" | "OnFailure" | "Never";
export type Phase = "Pending" | "Running" | "Succeeded" | "Failed";

export function podPhase(policy: RestartPolicy, containers: ContainerInfo[]): Phase {
  if (containers.length === 0) return "Pending";
  const terminated = containers.map((c) =>
    "terminated" in c.state ? c.state.terminated : undefined
  );
  if (terminated.every((t) => t !== undefined)) {
    const ok = terminated.every((t) => t!.exitCode === 0);
    if (policy === "Never") return ok ? "Succeeded" : "Failed";
    if (policy === "OnFailure" && ok) return "Succeeded";
    return "Running"; // it is restarted
  }
  if (containers.some((c) => "running" in c.state)) return "Running";
  if (containers.some((c) => "terminated" in c.state || c.restartCount > 0)) return "Running";
  return "Pending";
}

export interface PodStatusInput {
  restartPolicy: RestartPolicy;
  containers: ContainerInfo[];
  podIP: string;
  hostIP: string;
  startTime: string;
  now: string;
}

function condition(type: string, ok: boolean, now: string, reason?: string) {
  return {
    type,
    status: ok ? "True" : "False",
    lastProbeTime: null,
    lastTransitionTime: now,
    ...(reason ? { reason } : {}),
  };
}

export function buildPodStatus(s: PodStatusInput): Record<string, unknown> {
  const phase = podPhase(s.restartPolicy, s.containers);
  const ready = phase === "Running" && s.containers.every((c) => "running" in c.state);
  const done = phase === "Succeeded" || phase === "Failed";
  const notReady = done ? "PodCompleted" : ready ? undefined : "ContainersNotReady";
  return {
    phase,
    conditions: [
      condition("PodScheduled", true, s.now),
      condition("Initialized", true, s.now),
      condition("ContainersReady", ready, s.now, notReady),
      condition("Ready", ready, s.now, notReady),
    ],
    hostIP: s.hostIP,
    hostIPs: [{ ip: s.hostIP }],
    podIP: s.podIP,
    podIPs: [{ ip: s.podIP }],
    startTime: s.startTime,
    containerStatuses: s.containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: `node-agent://${c.image}`,
      containerID: `node-agent://${c.name}`,
      started: "running" in c.state,
      ready: ready && "running" in c.state,
      restartCount: c.restartCount,
      state: c.state,
      lastState: c.lastState ?? {},
    })),
  };
}
