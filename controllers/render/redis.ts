/**
 * Managed Redis: the queue (`<fd>-redis-queue`, StatefulSet, append-only
 * file on a volume so a restart loses no job) and the cache
 * (`<fd>-redis-cache`, Deployment, no persistence). Both require a password.
 */
import type { FrappeDeployment } from "../../apis/frappedeployment.ts";
import type { KubeObject } from "../../kube/types.ts";
import { childNames, service } from "./common.ts";
import { CredentialKey, credentialRef } from "./credentials.ts";
import { dataStoreWorkload } from "./datastore.ts";
import { REDIS_PORT } from "./site_config.ts";

/** `$(REDIS_PASSWORD)` is expanded by the kubelet from the env var: no shell needed. */
const PASSWORD_ARGS = ["--requirepass", "$(REDIS_PASSWORD)"];

export function buildRedisQueue(fd: FrappeDeployment): KubeObject[] {
  const managed = fd.spec.redis.queue.managed;
  if (!managed) return [];
  const name = childNames(fd).redisQueue;
  const workload = dataStoreWorkload(fd, {
    name,
    component: "redis-queue",
    image: managed.image,
    port: REDIS_PORT,
    command: ["redis-server"],
    args: ["--appendonly", "yes", "--appendfsync", "everysec", "--dir", "/data", ...PASSWORD_ARGS],
    env: [{ name: "REDIS_PASSWORD", valueFrom: credentialRef(fd, CredentialKey.redisQueue) }],
    resources: managed.resources,
    volume: {
      mountPath: "/data",
      size: managed.storageSize,
      storageClassName: managed.storageClassName,
    },
  });
  return [service(fd, name, "redis-queue", REDIS_PORT), workload];
}

export function buildRedisCache(fd: FrappeDeployment): KubeObject[] {
  const managed = fd.spec.redis.cache.managed;
  if (!managed) return [];
  const name = childNames(fd).redisCache;
  const workload = dataStoreWorkload(fd, {
    name,
    component: "redis-cache",
    image: managed.image,
    port: REDIS_PORT,
    command: ["redis-server"],
    args: [
      "--save",
      "",
      "--appendonly",
      "no",
      "--maxmemory-policy",
      "allkeys-lru",
      ...PASSWORD_ARGS,
    ],
    env: [{ name: "REDIS_PASSWORD", valueFrom: credentialRef(fd, CredentialKey.redisCache) }],
    resources: managed.resources,
  });
  return [service(fd, name, "redis-cache", REDIS_PORT), workload];
}
