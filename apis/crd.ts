/**
 * The FrappeDeployment CRD, generated from the zod schema: defaults, enums,
 * patterns and CEL rules all come from `apis/frappedeployment.ts`.
 */
import { z } from "zod";
import type { KubeObject } from "../kube/types.ts";
import { API_VERSION, GROUP, KIND, PLURAL, specSchema, VERSION } from "./frappedeployment.ts";
import { statusSchema } from "./status.ts";
import { type JsonSchema, toStructural } from "./structural.ts";

export const CRD_NAME = `${PLURAL}.${GROUP}`;
export const SHORT_NAMES = ["fd", "frappe"];

/** JSON Schema of a zod schema as a user writes it (fields with defaults are optional). */
export function structuralSchemaOf(schema: z.ZodType, path: string): JsonSchema {
  try {
    const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "throw" });
    return toStructural(json as JsonSchema, path);
  } catch (err) {
    throw new Error(`cannot build the CRD schema of ${path}`, { cause: err });
  }
}

/** Service names (DNS-1035) start with a letter; the name prefixes them. */
export const NAME_STARTS_WITH_LETTER = "metadata.name must start with a letter: it prefixes " +
  "Service names, which Kubernetes requires to start with a letter";

/** Root-level rules: the name becomes a label value and a prefix of Service names. */
const ROOT_RULES = [{
  rule: "self.metadata.name.size() <= 63 && " +
    "self.metadata.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",
  message: "metadata.name must be a DNS label of at most 63 characters (no dots): it names " +
    "Services and is a label value",
}, {
  rule: "!self.metadata.name.matches('^[0-9]')",
  message: NAME_STARTS_WITH_LETTER,
}];

export function openApiSchema(): JsonSchema {
  return {
    type: "object",
    description: "A Frappe bench: sites, MariaDB, Redis, web tier, scheduler and RQ workers " +
      "(optionally scaled from queue depth by KEDA).",
    required: ["spec"],
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object" },
      spec: structuralSchemaOf(specSchema, "spec"),
      status: structuralSchemaOf(statusSchema, "status"),
    },
    "x-kubernetes-validations": ROOT_RULES,
  };
}

const PRINTER_COLUMNS = [
  { name: "Phase", type: "string", jsonPath: ".status.phase" },
  { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  { name: "Bench", type: "string", jsonPath: ".status.benchId" },
  { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
];

export function frappeDeploymentCrd(): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: CRD_NAME,
      labels: { "app.kubernetes.io/name": "frappe-op", "app.kubernetes.io/part-of": "frappe-op" },
    },
    spec: {
      group: GROUP,
      scope: "Namespaced",
      names: {
        kind: KIND,
        listKind: `${KIND}List`,
        plural: PLURAL,
        singular: KIND.toLowerCase(),
        shortNames: SHORT_NAMES,
        categories: ["frappe"],
      },
      versions: [{
        name: VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: PRINTER_COLUMNS,
        schema: { openAPIV3Schema: openApiSchema() },
      }],
    },
  };
}

export { API_VERSION };
