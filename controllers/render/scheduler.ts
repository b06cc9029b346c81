/**
 * `bench schedule`: exactly one replica with the Recreate strategy, so two
 * schedulers never overlap (each would enqueue every scheduled job again).
 * The schema offers no replicas or autoscaling for it.
 */
import type { FrappeDeployment } from "../../apis/frappedeployment.ts";
import type { KubeObject } from "../../kube/types.ts";
import { childNames } from "./common.ts";
import { buildFrappeProcess } from "./workload.ts";

export function buildScheduler(fd: FrappeDeployment): KubeObject[] {
  return buildFrappeProcess(fd, {
    name: childNames(fd).scheduler,
    component: "scheduler",
    replicas: 1,
    strategy: { type: "Recreate" },
    args: ["bench", "schedule"],
    resources: fd.spec.scheduler.resources,
  });
}
