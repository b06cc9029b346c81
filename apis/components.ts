/**
 * Schemas of the bench's parts: storage, database, Redis, web tier,
 * scheduler, sites. `apis/frappedeployment.ts` assembles them into the spec.
 */
import { z } from "zod";
import {
  cel,
  DNS_LABEL_PATTERN,
  DNS_SUBDOMAIN_PATTERN,
  immutableFields,
  objectName,
  quantity,
  replicas,
  resourcesSchema,
  secretKeyRef,
} from "./k8s_schema.ts";

export const DEFAULT_MARIADB_IMAGE = "mariadb:10.6";
export const DEFAULT_REDIS_IMAGE = "redis:7.2-alpine";

const EXACTLY_ONE = "set exactly one of managed or external";

/** `{managed?, external?}` with exactly one set, checked by zod and by CEL. */
function oneOf<T extends z.ZodRawShape>(shape: T, description: string) {
  const schema = z.object(shape).refine(
    (v: Record<string, unknown>) => (v.managed === undefined) !== (v.external === undefined),
    { message: EXACTLY_ONE },
  );
  return cel(schema, [{ rule: "has(self.managed) != has(self.external)", message: EXACTLY_ONE }])
    .describe(description);
}

/**
 * `{managed: {}}` when absent, applied by the operator only: a default the API
 * server stored would be owned by no field manager, so a later `kubectl apply`
 * adding `external` (client- or server-side) would keep it and be refused
 * with "set exactly one of managed or external".
 */
export function managedUnlessSet<T extends z.ZodType<{ managed?: unknown; external?: unknown }>>(
  schema: T,
) {
  return schema.optional()
    .transform((v): z.output<T> => v ?? schema.parse({ managed: {} }))
    .describe(`${schema.description} Default: managed.`);
}

export const storageSchema = cel(
  z.object({
    storageClassName: z.string().max(253).optional().describe(
      "StorageClass of the sites volume; it must support ReadWriteMany. Empty: the cluster default.",
    ),
    size: quantity.default("10Gi").describe("Size of the sites volume."),
    accessMode: z.enum(["ReadWriteMany", "ReadWriteOnce"]).default("ReadWriteMany").describe(
      "ReadWriteMany is needed as soon as pods of the bench run on more than one node.",
    ),
    existingClaim: z.string().regex(DNS_SUBDOMAIN_PATTERN, {
      message: "must be the name of a PersistentVolumeClaim in this namespace",
    }).max(253).optional().describe("Use this PVC for the sites volume instead of creating one."),
  }),
  [
    {
      rule: "!has(self.existingClaim) || !has(self.storageClassName)",
      message: "existingClaim is an existing volume: remove storageClassName or existingClaim",
    },
    immutableFields(
      ["storageClassName", "accessMode"],
      "storageClassName and accessMode of the sites volume cannot change once it exists",
    ),
  ],
).refine((s) => s.existingClaim === undefined || s.storageClassName === undefined, {
  message: "existingClaim is an existing volume: remove storageClassName or existingClaim",
}).describe("The sites volume shared by every Frappe pod.");

const VOLUME_TEMPLATE_MSG = "storageSize and storageClassName cannot change once the volume " +
  "exists (StatefulSet volumeClaimTemplates are immutable); resize the PVC by hand";

const managedDatabase = cel(
  z.object({
    image: z.string().min(1).default(DEFAULT_MARIADB_IMAGE).describe("MariaDB image."),
    storageSize: quantity.default("10Gi").describe("Size of the data volume (immutable)."),
    storageClassName: z.string().max(253).optional().describe(
      "StorageClass of the data volume (immutable). Empty: the cluster default.",
    ),
    resources: resourcesSchema.optional(),
  }),
  [immutableFields(["storageSize", "storageClassName"], VOLUME_TEMPLATE_MSG)],
).describe("A MariaDB StatefulSet run by the operator for this bench only.");

const externalDatabase = z.object({
  host: z.string().min(1, { message: "must name the database host" }).max(253)
    .describe("Host name or address of the MariaDB server."),
  port: z.number().int().min(1).max(65535).default(3306).describe("MariaDB port."),
  credentialsSecretRef: z.object({
    name: objectName.describe("Secret in the FrappeDeployment's namespace."),
    usernameKey: z.string().min(1).default("username").describe("Key of the user name."),
    passwordKey: z.string().min(1).default("password").describe("Key of the password."),
  }).describe("Secret with a user allowed to create databases and users (for bench new-site)."),
}).describe("A MariaDB server run outside the operator.");

export const databaseSchema = oneOf(
  { managed: managedDatabase.optional(), external: externalDatabase.optional() },
  "The bench's MariaDB: managed by the operator, or external.",
);

/**
 * redis[s]://host[:port][/db]: a host (or [IPv6]), an optional port, an
 * optional numeric database, nothing else; KEDA's trigger and the loadtest
 * read these parts, so anything else would only fail after admission.
 */
export const REDIS_URL_PATTERN =
  /^rediss?:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:[0-9]{1,5})?(\/[0-9]{0,2})?$/;

const externalRedis = z.object({
  url: z.string().regex(REDIS_URL_PATTERN, {
    message: "must look like redis://host:6379/0 (put the password in passwordSecretRef)",
  }).describe("redis://host:port/db, without credentials."),
  passwordSecretRef: secretKeyRef.optional().describe("Secret key holding the Redis password."),
  tls: z.boolean().default(false).describe("Connect with TLS (rediss://)."),
}).describe("A Redis run outside the operator.");

const managedRedisQueue = cel(
  z.object({
    image: z.string().min(1).default(DEFAULT_REDIS_IMAGE).describe("Redis image."),
    resources: resourcesSchema.optional(),
    storageSize: quantity.default("1Gi").describe(
      "Append-only file volume: a restart loses no queued job (immutable).",
    ),
    storageClassName: z.string().max(253).optional().describe(
      "StorageClass of that volume (immutable). Empty: the cluster default.",
    ),
  }),
  [immutableFields(["storageSize", "storageClassName"], VOLUME_TEMPLATE_MSG)],
).describe(
  "A Redis StatefulSet (append-only file, password) run by the operator for this bench only.",
);

const managedRedisCache = z.object({
  image: z.string().min(1).default(DEFAULT_REDIS_IMAGE).describe("Redis image."),
  resources: resourcesSchema.optional(),
}).describe("A Redis Deployment (no persistence, password) run by the operator for this bench.");

export const redisQueueSchema = oneOf(
  { managed: managedRedisQueue.optional(), external: externalRedis.optional() },
  "Redis holding RQ job queues (persistent).",
);
export const redisCacheSchema = oneOf(
  { managed: managedRedisCache.optional(), external: externalRedis.optional() },
  "Redis used as cache (not persistent).",
);

export const redisSchemas = z.object({
  queue: managedUnlessSet(redisQueueSchema),
  cache: managedUnlessSet(redisCacheSchema),
}).describe("The bench's two Redis servers: queue (RQ jobs, what KEDA watches) and cache.");

export const webSchema = z.object({
  replicas: replicas.default(1),
  resources: resourcesSchema.optional(),
  workers: z.number().int().min(1).max(64).default(2).describe("gunicorn --workers"),
  threads: z.number().int().min(1).max(64).default(4).describe("gunicorn --threads"),
  timeout: z.number().int().min(1).max(3600).default(120).describe("gunicorn --timeout (s)"),
}).describe("gunicorn serving Frappe on port 8000.");

const scaled = (description: string) =>
  z.object({ replicas: replicas.default(1), resources: resourcesSchema.optional() })
    .describe(description);

export const nginxSchema = scaled("nginx front end on port 8080.");
export const socketioSchema = scaled("Realtime (socket.io) server on port 9000.");

export const schedulerSchema = z.object({
  resources: resourcesSchema.optional(),
}).describe(
  "bench schedule: always exactly one replica, Recreate, never autoscaled " +
    "(two schedulers run every scheduled job twice).",
);

/** App names as bench knows them (`erpnext`, `hrms`). */
export const APP_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;

export const siteSchema = z.object({
  name: z.string().max(253).regex(DNS_SUBDOMAIN_PATTERN, {
    message: "must be a lowercase DNS name such as erp.example.com",
  }).describe("Site name as bench knows it, a lowercase DNS name such as erp.example.com."),
  apps: z.array(
    z.string().regex(APP_NAME_PATTERN, { message: "must be an app name such as erpnext" }),
  ).max(50).default([]).describe("Apps installed on the site, in order (frappe is implied)."),
  adminPasswordSecretRef: secretKeyRef.optional().describe(
    "Administrator password. Default: key admin-password of the generated credentials Secret.",
  ),
});

export type Site = z.output<typeof siteSchema>;

export const sitesSchema = z.array(siteSchema).max(50).default([]).refine(
  (sites) => new Set(sites.map((s) => s.name)).size === sites.length,
  { message: "site names must be unique" },
).meta({
  description: "Sites of the bench; the operator creates each one with bench new-site.",
  "x-kubernetes-list-type": "map",
  "x-kubernetes-list-map-keys": ["name"],
});

const toleration = z.object({
  key: z.string().optional().describe("Taint key (empty with Exists: every taint)."),
  operator: z.enum(["Exists", "Equal"]).optional().describe("Exists or Equal (default)."),
  value: z.string().optional().describe("Taint value, for Equal."),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional()
    .describe("Taint effect to tolerate (empty: all)."),
  tolerationSeconds: z.number().int().optional()
    .describe("NoExecute only: how long the pod stays once tainted."),
}).describe("A toleration, as on a Pod spec.");

/** Scheduling and pod knobs applied to every pod of the bench. */
export const podShape = {
  imagePullSecrets: z.array(
    z.object({ name: objectName.describe("Name of a docker-registry Secret.") }),
  ).optional().describe("Secrets for pulling the images, on every pod of the bench."),
  nodeSelector: z.record(z.string(), z.string()).optional()
    .describe("Node labels every pod of the bench requires."),
  tolerations: z.array(toleration).optional().describe("Tolerations of every pod of the bench."),
  affinity: z.record(z.string(), z.unknown()).optional().describe(
    "Pod affinity as on a Pod spec (kept as given).",
  ),
  podAnnotations: z.record(z.string(), z.string()).optional()
    .describe("Annotations added to every pod of the bench."),
  serviceAccountName: z.string().regex(DNS_LABEL_PATTERN).max(253).optional().describe(
    "ServiceAccount of the bench's pods (default: the namespace's default); tokens are " +
      "not mounted.",
  ),
};

export const networkPolicySchema = z.object({
  enabled: z.boolean().default(true).describe(
    "Only this bench's pods (and the operator, KEDA) may reach its MariaDB and Redis.",
  ),
}).describe("NetworkPolicies around the bench's managed data stores.");
