/**
 * What a scaling number depends on besides the code, read from the machine
 * and the running cluster: the HPA controller's sync period (a
 * kube-controller-manager flag fixed when the cluster started), the load
 * average and the number of cores. Needs -A (Deno reads /proc/loadavg only then).
 */
import { hpaSyncPeriod } from "../tests/e2e/stack.ts";

export interface ClusterFacts {
  at: string;
  cpus: number;
  loadAverage: number[];
  /** `--horizontal-pod-autoscaler-sync-period` of the running kube-controller-manager. */
  hpaSyncPeriod: string;
}

export async function clusterFacts(): Promise<ClusterFacts> {
  const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).map(Number);
  return {
    at: new Date().toISOString(),
    cpus: navigator.hardwareConcurrency,
    loadAverage: load,
    hpaSyncPeriod: await hpaSyncPeriod(),
  };
}
