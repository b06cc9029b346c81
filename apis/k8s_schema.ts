/**
 * Zod building blocks shared by every part of the FrappeDeployment schema
 * (including `apis/workers.ts`). Each block carries the message a person can
 * act on, and CEL rules ride along as metadata that `apis/crd.ts` copies into
 * the CRD's openAPIV3Schema.
 */
import { z } from "zod";

/** One CEL rule as `x-kubernetes-validations` wants it. */
export interface CelRule {
  rule: string;
  message: string;
  /** Path-like field the error is reported on, e.g. `.external`. */
  fieldPath?: string;
}

/** Attaches CEL rules to a schema node; zod ignores them, the CRD keeps them. */
export function cel<T extends z.ZodType>(schema: T, rules: CelRule[]): T {
  return schema.meta({ "x-kubernetes-validations": rules }) as T;
}

/**
 * CEL transition rule for an object: the named fields keep their value (and
 * their presence) once the object exists, e.g. what a PVC or a
 * StatefulSet's volumeClaimTemplates cannot change.
 */
export function immutableFields(fields: string[], message: string): CelRule {
  const rule = fields.map((f) =>
    `(has(self.${f}) == has(oldSelf.${f}) && (!has(self.${f}) || self.${f} == oldSelf.${f}))`
  ).join(" && ");
  return { rule, message };
}

/** Marks an object node whose content Kubernetes must keep as given (affinity, ...). */
export function preserveUnknown<T extends z.ZodType>(schema: T): T {
  return schema.meta({ "x-kubernetes-preserve-unknown-fields": true }) as T;
}

/** Kubernetes resource quantity such as `500m`, `1Gi`, `2`. */
export const QUANTITY_PATTERN =
  /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

const QUANTITY_MESSAGE = "must be a Kubernetes quantity such as 500m, 1Gi or 2";

/** A quantity as Kubernetes takes it: a string like `1Gi` or a plain integer. */
export const quantity = z.union([
  z.int().min(0, { message: QUANTITY_MESSAGE }),
  z.string().regex(QUANTITY_PATTERN, { message: QUANTITY_MESSAGE }),
], { message: QUANTITY_MESSAGE }).meta({ "x-kubernetes-int-or-string": true });

const resourceList = z.record(z.string(), quantity);

/** `resources` as on a container: requests and limits. */
export const resourcesSchema = z.object({
  requests: resourceList.optional().describe(
    "What the scheduler reserves, per resource name (cpu: 500m, memory: 1Gi).",
  ),
  limits: resourceList.optional().describe("The most the container may use, per resource name."),
}).describe("Container resources (requests and limits), as on a Pod's container.");

export type Resources = z.output<typeof resourcesSchema>;

/** RFC 1123 DNS label (object names, claim names). */
export const DNS_LABEL_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1123 DNS subdomain (site names, Secret names). */
export const DNS_SUBDOMAIN_PATTERN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const objectName = z.string().max(253).regex(DNS_SUBDOMAIN_PATTERN, {
  message: "must be a lowercase DNS name (letters, digits, '-' and '.')",
});

/** Reference to one key of a Secret in the FrappeDeployment's namespace. */
export const secretKeyRef = z.object({
  name: objectName.describe("Name of the Secret in the FrappeDeployment's namespace."),
  key: z.string().min(1, { message: "must name a key of the Secret" }).max(253)
    .describe("Key in that Secret."),
});

export type SecretKeyRef = z.output<typeof secretKeyRef>;

export const replicas = z.number().int().min(0, { message: "must be 0 or more" }).max(1000)
  .describe("Number of pods.");

/** Formats zod issues as `spec.database: message` lines. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = issue.path.reduce<string>((acc, part) => {
      if (typeof part === "number") return `${acc}[${part}]`;
      return acc === "" ? String(part) : `${acc}.${String(part)}`;
    }, "");
    return path === "" ? issue.message : `${path}: ${issue.message}`;
  });
}
