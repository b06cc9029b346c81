/**
 * FrappeDeployment v1alpha1, written once: the zod schema gives the
 * TypeScript types, the defaults, the validation (`parseFrappeDeployment`)
 * and, through `apis/crd.ts`, the CRD's openAPIV3Schema.
 */
import { z } from "zod";
import type { ObjectMeta } from "../kube/types.ts";
import { defaultBenchId } from "./naming.ts";
import { cel, formatIssues, immutableFields } from "./k8s_schema.ts";
import {
  databaseSchema,
  managedUnlessSet,
  networkPolicySchema,
  nginxSchema,
  podShape,
  redisSchemas,
  schedulerSchema,
  sitesSchema,
  socketioSchema,
  storageSchema,
  webSchema,
} from "./components.ts";
import { workersSchema } from "./workers.ts";

export type { Site } from "./components.ts";
import { type FrappeDeploymentStatus, statusSchema } from "./status.ts";

export const GROUP = "frappe-op.dev";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = "FrappeDeployment";
export const PLURAL = "frappedeployments";

export const FRAPPE_VERSIONS = ["14", "15", "16"] as const;
export type FrappeVersion = typeof FRAPPE_VERSIONS[number];
export const DEFAULT_IMAGE = "frappe/erpnext:v15.105.0";

/**
 * Annotation on a FrappeDeployment: setting it (or changing its value) reruns
 * every one-shot Job that failed; completed and running Jobs are untouched.
 */
export const RETRY_ANNOTATION = "frappe-op.dev/retry";

/**
 * Annotation on a FrappeDeployment: a new value makes its next reconcile
 * apply every child again (controllers/reapply.ts), as `--reapply-interval`
 * does on its schedule: hand edits of fields frappe-op sets are undone.
 */
export const REAPPLY_ANNOTATION = "frappe-op.dev/reapply";

/** bench_id: no ':' (RQ splits keys on it), no spaces, at most 100 characters. */
export const BENCH_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const benchId = cel(
  z.string().max(100).regex(BENCH_ID_PATTERN, {
    message: "must be letters, digits, '.', '_' or '-' (no ':'), starting with a letter or digit",
  }),
  [{
    rule: "self == oldSelf",
    message: "benchId is immutable: queued jobs live under the old id; create a new deployment",
  }],
).describe(
  "Frappe bench_id; queue keys are rq:queue:<benchId>:<queue>. Default <namespace>.<name>.",
);

// A field-level transition rule only runs when the old and the new object
// both have the field: adding or removing benchId (default <-> explicit)
// needs this rule on spec.
const BENCH_ID_PRESENCE = immutableFields(
  ["benchId"],
  "benchId cannot be added or removed once the deployment exists: queued jobs live under the " +
    "old id; create a new deployment",
);

export const DELETION_POLICIES = ["Retain", "Delete"] as const;
export type DeletionPolicy = typeof DELETION_POLICIES[number];

const deletionPolicy = z.enum(DELETION_POLICIES, { message: "must be Retain or Delete" })
  .default("Retain").describe(
    "What deleting the FrappeDeployment does to its data: the sites volume, the MariaDB and " +
      "Redis queue volumes and the generated credentials Secret. Retain keeps them (without " +
      "an owner), and a FrappeDeployment created again with the same name adopts them; Delete " +
      "removes them with everything else. May be changed at any time.",
  );

const specFields = z.object({
  image: z.string().min(1, { message: "must name a Frappe image, e.g. " + DEFAULT_IMAGE })
    .default(DEFAULT_IMAGE).describe(
      "Image with the bench (apps installed), as frappe_docker builds.",
    ),
  frappeVersion: z.enum(FRAPPE_VERSIONS, { message: "must be one of 14, 15, 16" }).default("15")
    .describe("Frappe major version of the image."),
  benchId: benchId.optional(),
  sites: sitesSchema,
  storage: storageSchema.prefault({}),
  database: managedUnlessSet(databaseSchema),
  redis: redisSchemas.prefault({}),
  web: webSchema.prefault({}),
  nginx: nginxSchema.prefault({}),
  socketio: socketioSchema.prefault({}),
  scheduler: schedulerSchema.prefault({}),
  // The CRD default is the fully defaulted worker set: the API server checks a
  // default against the CEL rules of its node as written, without nested defaults.
  workers: workersSchema.prefault({}).meta({ default: workersSchema.parse({}) }),
  ...podShape,
  networkPolicy: networkPolicySchema.prefault({}),
  deletionPolicy,
});

export const specSchema = cel(specFields, [BENCH_ID_PRESENCE]);

const metadataSchema = z.object({
  name: z.string().min(1).max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
    message: "must be a DNS label (lowercase letters, digits, '-')",
  }).refine((n) => !/^[0-9]/.test(n), {
    message: "must start with a letter: it prefixes Service names, which must start with one",
  }),
  namespace: z.string().min(1).default("default"),
}).passthrough();

export const frappeDeploymentSchema = z.object({
  apiVersion: z.literal(API_VERSION, { message: `must be ${API_VERSION}` }),
  kind: z.literal(KIND, { message: `must be ${KIND}` }),
  metadata: metadataSchema,
  spec: specSchema.prefault({}),
  status: statusSchema.optional(),
});

export type FrappeDeploymentSpec = z.output<typeof specSchema>;
/** The spec as a user writes it (defaults not yet applied). */
export type FrappeDeploymentSpecInput = z.input<typeof specSchema>;

/** A validated FrappeDeployment with every default applied. */
export interface FrappeDeployment {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: ObjectMeta & { name: string; namespace: string };
  spec: FrappeDeploymentSpec;
  status?: FrappeDeploymentStatus;
}

export type ParseResult =
  | { ok: true; value: FrappeDeployment }
  | { ok: false; errors: string[] };

/** Validates and defaults; errors read like `spec.database: set exactly one of managed or external`. */
export function parseFrappeDeployment(obj: unknown): ParseResult {
  const result = frappeDeploymentSchema.safeParse(obj);
  if (!result.success) return { ok: false, errors: formatIssues(result.error.issues) };
  return { ok: true, value: result.data as FrappeDeployment };
}

/** The bench id of a deployment: `spec.benchId` or `<namespace>.<name>`. */
export function benchIdOf(fd: FrappeDeployment): string {
  return fd.spec.benchId ?? defaultBenchId(fd.metadata.namespace, fd.metadata.name);
}
