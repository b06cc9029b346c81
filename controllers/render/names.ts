/** Child object names from docs/CONTRACT.md, all built with `childName`. */
import type { FrappeDeployment } from "../../apis/frappedeployment.ts";
import { childName, shortHash } from "../../apis/naming.ts";

export interface ChildNames {
  credentials: string;
  config: string;
  sites: string;
  mariadb: string;
  redisQueue: string;
  redisCache: string;
  gunicorn: string;
  nginx: string;
  socketio: string;
  scheduler: string;
  redisQueueAuth: string;
}

/**
 * A StatefulSet's name must leave room for `-<10-char revision hash>` in its
 * pods' `controller-revision-hash` label (63): at most 52 characters.
 */
export const STATEFULSET_NAME_MAX = 52;

export function childNames(fd: FrappeDeployment): ChildNames {
  const n = (...parts: string[]) => childName([fd.metadata.name, ...parts]);
  const sts = (part: string) => childName([fd.metadata.name, part], STATEFULSET_NAME_MAX);
  return {
    credentials: n("credentials"),
    config: n("config"),
    sites: n("sites"),
    mariadb: sts("mariadb"),
    redisQueue: sts("redis-queue"),
    redisCache: n("redis-cache"),
    gunicorn: n("gunicorn"),
    nginx: n("nginx"),
    socketio: n("socketio"),
    scheduler: n("scheduler"),
    redisQueueAuth: n("redis-queue-auth"),
  };
}

/** The claim the StatefulSet `sts` makes for its one pod from the volume template `data`. */
export function dataClaimName(sts: string): string {
  return `data-${sts}-0`;
}

/**
 * The volumes holding this bench's data that the operator creates (the sites
 * volume unless an existing claim is used, the managed MariaDB and Redis
 * queue volumes): what was written with the passwords of `<fd>-credentials`.
 */
export function dataClaimNames(fd: FrappeDeployment): string[] {
  const names = childNames(fd);
  return [
    fd.spec.storage.existingClaim ? undefined : names.sites,
    fd.spec.database.managed ? dataClaimName(names.mariadb) : undefined,
    fd.spec.redis.queue.managed ? dataClaimName(names.redisQueue) : undefined,
  ].filter((n): n is string => n !== undefined);
}

/** Name of the sites PVC actually mounted: the user's existing claim or ours. */
export function sitesClaimName(fd: FrappeDeployment): string {
  return fd.spec.storage.existingClaim ?? childNames(fd).sites;
}

/** DNS name of a Service of this deployment, resolvable from any namespace. */
export function serviceHost(fd: FrappeDeployment, service: string): string {
  return `${service}.${fd.metadata.namespace}.svc`;
}

/** `<fd>-<job>-<hash>` (with an optional middle part such as the site), always a DNS label. */
export function jobName(
  fd: FrappeDeployment,
  job: string,
  hashOf: string,
  middle?: string,
): string {
  const hash = shortHash(hashOf);
  const mid = (middle ?? "").replace(/[^a-z0-9-]/gi, "-");
  const base = childName([fd.metadata.name, job, mid], 63 - hash.length - 1);
  return `${base}-${hash}`;
}
