/**
 * What a scaling number depends on besides the code, read from the machine
 * and the running cluster: the HPA controller's sync period (a
 * kube-controller-manager flag fixed when the cluster started), the load
 * average and the number of cores. Needs -A (Deno reads /proc only then).
 */
import { join } from "node:path";
import { clusterDir } from "../tests/support/cluster.ts";

export interface ClusterFacts {
  at: string;
  cpus: number;
  loadAverage: number[];
  /** `--horizontal-pod-autoscaler-sync-period` of the running kube-controller-manager. */
  hpaSyncPeriod: string;
}

async function kcmFlag(flag: string): Promise<string | undefined> {
  const pid = (await Deno.readTextFile(join(clusterDir(), "run", "kube-controller-manager.pid")))
    .trim();
  const argv = (await Deno.readTextFile(`/proc/${pid}/cmdline`)).split("\0");
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`${flag}=`))?.split("=")[1];
}

export async function clusterFacts(): Promise<ClusterFacts> {
  const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).map(Number);
  return {
    at: new Date().toISOString(),
    cpus: navigator.hardwareConcurrency,
    loadAverage: load,
    // The flag's default when it is not given.
    hpaSyncPeriod: await kcmFlag("--horizontal-pod-autoscaler-sync-period") ?? "15s",
  };
}
