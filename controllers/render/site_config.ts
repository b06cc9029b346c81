/**
 * sites/common_site_config.json as the operator wants it. The content
 * without passwords also yields the config hash that rolls every Frappe pod
 * when the configuration changes.
 */
import { benchIdOf, type FrappeDeployment } from "../../apis/frappedeployment.ts";
import { shortHash } from "../../apis/naming.ts";
import { childNames, serviceHost } from "./names.ts";

export const SOCKETIO_PORT = 9000;
export const REDIS_PORT = 6379;
export const MARIADB_PORT = 3306;

/** Passwords of the managed Redis servers (absent: URL without password). */
export interface RedisPasswords {
  queue?: string;
  cache?: string;
}

/** Reads `spec.workers.custom` defensively: [{name, timeout}] of custom queues. */
export function customQueues(fd: FrappeDeployment): { name: string; timeout: number }[] {
  const workers = fd.spec.workers as Record<string, unknown> | undefined;
  const custom = workers?.custom;
  if (!Array.isArray(custom)) return [];
  return custom.flatMap((c) => {
    if (typeof c !== "object" || c === null || typeof c.name !== "string") return [];
    return [{ name: c.name, timeout: typeof c.timeout === "number" ? c.timeout : 300 }];
  });
}

function redisUrl(
  fd: FrappeDeployment,
  which: "queue" | "cache",
  password: string | undefined,
): string {
  const spec = fd.spec.redis[which];
  if (spec.external) {
    const url = spec.external.url;
    return spec.external.tls ? url.replace(/^redis:\/\//, "rediss://") : url;
  }
  const host = serviceHost(
    fd,
    which === "queue" ? childNames(fd).redisQueue : childNames(fd).redisCache,
  );
  const auth = password === undefined ? "" : `:${encodeURIComponent(password)}@`;
  return `redis://${auth}${host}:${REDIS_PORT}`;
}

/** The JSON object written to sites/common_site_config.json. */
export function commonSiteConfig(
  fd: FrappeDeployment,
  passwords: RedisPasswords,
): Record<string, unknown> {
  const db = fd.spec.database;
  const config: Record<string, unknown> = {
    bench_id: benchIdOf(fd),
    db_host: db.external ? db.external.host : serviceHost(fd, childNames(fd).mariadb),
    db_port: db.external ? db.external.port : MARIADB_PORT,
    redis_queue: redisUrl(fd, "queue", passwords.queue),
    redis_cache: redisUrl(fd, "cache", passwords.cache),
    socketio_port: SOCKETIO_PORT,
  };
  if (fd.spec.frappeVersion === "14") config.redis_socketio = config.redis_queue;
  // Always written, empty too: the configure Job merges into the file on the
  // volume, so a key left out would keep the last custom queue declared.
  config.workers = Object.fromEntries(
    customQueues(fd).map((q) => [q.name, { timeout: q.timeout }]),
  );
  return config;
}

/** Hash of the configuration without passwords: stable while the spec is. */
export function configHash(fd: FrappeDeployment): string {
  return shortHash(JSON.stringify(commonSiteConfig(fd, {})));
}
