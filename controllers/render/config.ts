/**
 * `<fd>-config`: common_site_config.json in a Secret (the Redis URLs carry
 * passwords, so never a ConfigMap). The configure Job copies it into the
 * sites volume.
 */
import type { FrappeDeployment } from "../../apis/frappedeployment.ts";
import type { KubeObject } from "../../kube/types.ts";
import { childNames, objectMeta } from "./common.ts";
import { toBase64 } from "./credentials.ts";
import { commonSiteConfig, type RedisPasswords } from "./site_config.ts";

export const CONFIG_KEY = "common_site_config.json";

/** Passwords of the managed Redis servers, from the rendered credentials. */
export function managedRedisPasswords(
  fd: FrappeDeployment,
  credentials: Record<string, string>,
): RedisPasswords {
  return {
    queue: fd.spec.redis.queue.managed ? credentials["redis-queue-password"] : undefined,
    cache: fd.spec.redis.cache.managed ? credentials["redis-cache-password"] : undefined,
  };
}

export function configSecret(fd: FrappeDeployment, passwords: RedisPasswords): KubeObject {
  const json = JSON.stringify(commonSiteConfig(fd, passwords), null, 1) + "\n";
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: objectMeta(fd, childNames(fd).config, "config"),
    type: "Opaque",
    data: { [CONFIG_KEY]: toBase64(json) },
  };
}
