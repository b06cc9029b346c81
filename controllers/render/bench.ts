/**
 * The whole bench except workers and KEDA objects, as ordered phases. The
 * reconciler applies a phase and waits for its gate before the next one,
 * so no Frappe process starts before common_site_config.json has its Redis
 * URLs (frappe_docker#1314: workers crash-loop on 127.0.0.1:11311).
 *
 *  1. config:    credentials Secret, config Secret, sites PVC, NetworkPolicies
 *  2. data:      MariaDB, Redis queue, Redis cache     (gate: ready)
 *  3. configure: configure Job                          (gate: Job complete)
 *  4. sites:     one new-site Job per site              (gate: Jobs complete)
 *  5. migrate:   migrate Job for the current image      (gate: Job complete)
 *  6. apps:      gunicorn, nginx, socketio, scheduler (+ workers, see mod.ts)
 */
import type { FrappeDeployment } from "../../apis/frappedeployment.ts";
import type { KubeObject } from "../../kube/types.ts";
import { configSecret, managedRedisPasswords } from "./config.ts";
import type { RenderContext } from "./context.ts";
import { credentialsSecret, credentialValues } from "./credentials.ts";
import { buildConfigureJob, buildMigrateJob, buildNewSiteJob } from "./jobs.ts";
import { buildMariadb } from "./mariadb.ts";
import { buildNetworkPolicies } from "./networkpolicy.ts";
import { buildRedisCache, buildRedisQueue } from "./redis.ts";
import { buildScheduler } from "./scheduler.ts";
import { buildSitesPvc } from "./storage.ts";
import { buildGunicorn, buildNginx, buildSocketio } from "./web.ts";

export const PHASES = ["config", "data", "configure", "sites", "migrate", "apps"] as const;
export type PhaseName = typeof PHASES[number];

export interface RenderPhase {
  phase: PhaseName;
  objects: KubeObject[];
}

export function renderBench(fd: FrappeDeployment, ctx: RenderContext): RenderPhase[] {
  const credentials = credentialsSecret(fd, ctx.existingCredentials, ctx.randomPassword);
  const config = configSecret(fd, managedRedisPasswords(fd, credentialValues(credentials)));
  const configData = Object.values(config.data as Record<string, string>).join();
  return [
    {
      phase: "config",
      objects: [credentials, config, ...buildSitesPvc(fd), ...buildNetworkPolicies(fd, ctx)],
    },
    {
      phase: "data",
      objects: [...buildMariadb(fd), ...buildRedisQueue(fd), ...buildRedisCache(fd)],
    },
    { phase: "configure", objects: [buildConfigureJob(fd, configData)] },
    { phase: "sites", objects: fd.spec.sites.map((site) => buildNewSiteJob(fd, site)) },
    { phase: "migrate", objects: fd.spec.sites.length > 0 ? [buildMigrateJob(fd)] : [] },
    {
      phase: "apps",
      objects: [
        ...buildGunicorn(fd),
        ...buildNginx(fd),
        ...buildSocketio(fd),
        ...buildScheduler(fd),
      ],
    },
  ];
}
