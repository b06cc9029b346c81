/**
 * How KEDA reaches the queue Redis of a bench: address, database, TLS (all
 * plain ScaledObject metadata) and the password (only ever through the
 * TriggerAuthentication `<fd>-redis-queue-auth`, from a Secret).
 */
import type { FrappeDeployment } from "../../apis/frappedeployment.ts";
import {
  type AuthSecretTargetRef,
  KEDA_API_VERSION,
  type TriggerAuthentication,
} from "../../apis/keda.ts";
import { childNames, objectMeta, serviceHost } from "./common.ts";
import { CredentialKey } from "./credentials.ts";
import { REDIS_PORT } from "./site_config.ts";

export const TRIGGER_AUTH_COMPONENT = "autoscaling";

export interface QueueRedisConnection {
  /** `host:port` as KEDA's redis scaler wants it in `address`. */
  address: string;
  databaseIndex: number;
  tls: boolean;
  /** Where the password is; absent: the Redis has none. */
  passwordRef?: { name: string; key: string };
}

/**
 * The queue Redis as KEDA must see it. Managed: the bench's own Service,
 * named exactly as in common_site_config (`<svc>.<ns>.svc`, which resolves
 * from KEDA's namespace under any cluster domain), database 0, no TLS, the
 * password from `<fd>-credentials`. External: host, port and database from
 * `spec.redis.queue.external.url` (port 6379, database 0 when absent); TLS
 * when the URL is `rediss://` or `tls: true`.
 */
export function queueRedisConnection(fd: FrappeDeployment): QueueRedisConnection {
  const spec = fd.spec.redis.queue;
  if (!spec.external) {
    const names = childNames(fd);
    return {
      address: `${serviceHost(fd, names.redisQueue)}:${REDIS_PORT}`,
      databaseIndex: 0,
      tls: false,
      passwordRef: { name: names.credentials, key: CredentialKey.redisQueue },
    };
  }
  const { url, passwordSecretRef, tls } = spec.external;
  const parsed = parseRedisUrl(url);
  return {
    address: parsed.address,
    databaseIndex: parsed.databaseIndex,
    tls: tls || parsed.tls,
    passwordRef: passwordSecretRef && { ...passwordSecretRef },
  };
}

/**
 * The connection as a URL without credentials, `redis[s]://host:port/db`:
 * what the operator's queue observer, `frappe-op status --redis-depth` and
 * `frappe-op loadtest` connect to, so they read the address KEDA reads.
 */
export function queueRedisUrl(conn: QueueRedisConnection): string {
  return `${conn.tls ? "rediss" : "redis"}://${conn.address}/${conn.databaseIndex}`;
}

/** Splits `redis[s]://host[:port][/db]`; throws with a message a person can act on. */
export function parseRedisUrl(
  url: string,
): { address: string; databaseIndex: number; tls: boolean } {
  let u: URL;
  try {
    u = new URL(url);
  } catch (cause) {
    throw new Error(`spec.redis.queue.external.url: ${JSON.stringify(url)} is not a URL`, {
      cause,
    });
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    throw new Error(`spec.redis.queue.external.url: scheme must be redis:// or rediss://`);
  }
  if (u.hostname === "") throw new Error("spec.redis.queue.external.url: no host");
  const path = u.pathname.replace(/^\/+|\/+$/g, "");
  if (path !== "" && !/^\d+$/.test(path)) {
    throw new Error(
      `spec.redis.queue.external.url: database must be a number (redis://host:6379/0), got "${path}"`,
    );
  }
  return {
    address: `${u.hostname}:${u.port === "" ? REDIS_PORT : u.port}`,
    databaseIndex: path === "" ? 0 : Number(path),
    tls: u.protocol === "rediss:",
  };
}

export function triggerAuthName(fd: FrappeDeployment): string {
  return childNames(fd).redisQueueAuth;
}

/**
 * `<fd>-redis-queue-auth`: parameter `password` from the Secret. Undefined
 * when the queue Redis has no password (external without passwordSecretRef):
 * then the triggers carry no authenticationRef either.
 */
export function renderTriggerAuthentication(
  fd: FrappeDeployment,
): TriggerAuthentication | undefined {
  const ref = queueRedisConnection(fd).passwordRef;
  if (!ref) return undefined;
  const secretTargetRef: AuthSecretTargetRef[] = [
    { parameter: "password", name: ref.name, key: ref.key },
  ];
  return {
    apiVersion: KEDA_API_VERSION,
    kind: "TriggerAuthentication",
    metadata: objectMeta(fd, triggerAuthName(fd), TRIGGER_AUTH_COMPONENT),
    spec: { secretTargetRef },
  };
}
