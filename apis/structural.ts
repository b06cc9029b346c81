/**
 * JSON Schema (as `z.toJSONSchema` writes it) -> Kubernetes structural
 * schema: a `type` on every node, no $ref/$schema, no anyOf/oneOf/allOf,
 * `additionalProperties` never beside `properties`, `const` as a one-value
 * enum, free-form nodes marked `x-kubernetes-preserve-unknown-fields`.
 * Anything it cannot express throws, naming the path, so a schema change
 * that would make the CRD non-structural fails at generation time.
 */

export type JsonSchema = Record<string, unknown>;

export class NonStructuralError extends Error {
  constructor(path: string, what: string) {
    super(`${path || "<root>"}: ${what} cannot be expressed in a structural CRD schema`);
    this.name = "NonStructuralError";
  }
}

const DROPPED = ["$schema", "$id", "id", "propertyNames", "title"];
const UNSUPPORTED = ["$ref", "anyOf", "oneOf", "allOf", "not", "$defs", "definitions"];
const PRESERVE = "x-kubernetes-preserve-unknown-fields";

function isFreeForm(node: JsonSchema): boolean {
  return Object.keys(node).every((k) => k === "description");
}

function convertObject(node: JsonSchema, path: string, out: JsonSchema): void {
  const props = node.properties as Record<string, JsonSchema> | undefined;
  const extra = node.additionalProperties;
  if (props && Object.keys(props).length > 0) {
    out.properties = Object.fromEntries(
      Object.entries(props).map(([k, v]) => [k, toStructural(v, `${path}.${k}`)]),
    );
  } else if (extra && typeof extra === "object" && !isFreeForm(extra as JsonSchema)) {
    out.additionalProperties = toStructural(extra as JsonSchema, `${path}[*]`);
  } else if (extra === true || (extra && typeof extra === "object")) {
    out[PRESERVE] = true;
  }
}

const INT_OR_STRING = "x-kubernetes-int-or-string";

/** `anyOf: [integer, string(pattern)]` marked int-or-string, as Kubernetes writes quantities. */
function intOrString(node: JsonSchema, path: string): JsonSchema {
  const branches = (node.anyOf ?? []) as JsonSchema[];
  const types = branches.map((b) => b.type).sort();
  const numeric = types[0] === "integer" || types[0] === "number";
  if (branches.length !== 2 || !numeric || types[1] !== "string") {
    throw new NonStructuralError(path, "an int-or-string node that is not integer|string");
  }
  const { anyOf: _anyOf, ...rest } = node;
  const pattern = branches.find((b) => b.type === "string")?.pattern;
  return {
    ...rest,
    anyOf: [{ type: "integer" }, { type: "string" }],
    ...(pattern === undefined ? {} : { pattern }),
  };
}

/** Converts one node (and its children). */
export function toStructural(node: JsonSchema, path = ""): JsonSchema {
  if (node[INT_OR_STRING] === true) return intOrString(node, path);
  for (const key of UNSUPPORTED) {
    if (key in node) throw new NonStructuralError(path, key);
  }
  if (isFreeForm(node)) return { ...node, [PRESERVE]: true };
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.includes(key)) continue;
    if (["properties", "additionalProperties", "items"].includes(key)) continue;
    if (key === "maximum" && value === Number.MAX_SAFE_INTEGER) continue;
    if (key === "minimum" && value === Number.MIN_SAFE_INTEGER) continue;
    if (key === "const") {
      out.enum = [value];
      continue;
    }
    out[key] = value;
  }
  if (out.type === undefined) {
    if (out.enum && (out.enum as unknown[]).every((v) => typeof v === "string")) {
      out.type = "string";
    } else {
      throw new NonStructuralError(path, "a node without type");
    }
  }
  if (Array.isArray(out.type)) throw new NonStructuralError(path, "a union type");
  if (out.type === "object") convertObject(node, path, out);
  if (out.type === "array") {
    if (!node.items || Array.isArray(node.items)) throw new NonStructuralError(path, "tuple items");
    out.items = toStructural(node.items as JsonSchema, `${path}[]`);
  }
  return out;
}

/** Every violation of the structural rules in a converted schema (for tests). */
export function structuralProblems(node: JsonSchema, path = ""): string[] {
  const problems: string[] = [];
  const intOrStr = node[INT_OR_STRING] === true;
  if (node[PRESERVE] !== true && !intOrStr && typeof node.type !== "string") {
    problems.push(`${path}: no type`);
  }
  for (const key of [...UNSUPPORTED, "$schema", "const", "propertyNames"]) {
    if (key in node && !(intOrStr && key === "anyOf")) problems.push(`${path}: has ${key}`);
  }
  if (intOrStr && JSON.stringify(node.anyOf) !== '[{"type":"integer"},{"type":"string"}]') {
    problems.push(`${path}: int-or-string without anyOf [integer, string]`);
  }
  if (node.properties && node.additionalProperties !== undefined) {
    problems.push(`${path}: properties beside additionalProperties`);
  }
  for (const [k, v] of Object.entries((node.properties ?? {}) as Record<string, JsonSchema>)) {
    problems.push(...structuralProblems(v, `${path}.${k}`));
  }
  if (node.items) problems.push(...structuralProblems(node.items as JsonSchema, `${path}[]`));
  if (typeof node.additionalProperties === "object") {
    problems.push(...structuralProblems(node.additionalProperties as JsonSchema, `${path}[*]`));
  }
  return problems;
}
