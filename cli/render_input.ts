/**
 * The input of `frappe-op render`: a YAML or JSON file (one document, several
 * `---` documents, or a `kind: List`) turned into validated
 * FrappeDeployments. Every problem is collected, each message naming the
 * file, the document and the field, so one run shows all of them.
 */
import { parseAllDocuments } from "yaml";
import {
  API_VERSION,
  type FrappeDeployment,
  KIND,
  parseFrappeDeployment,
} from "../apis/frappedeployment.ts";

export interface InputResult {
  deployments: FrappeDeployment[];
  /** Problems that make the input unusable (exit non-zero, print nothing). */
  errors: string[];
  /** Documents of other kinds that were skipped. */
  notes: string[];
}

interface Doc {
  /** 1-based position in the file (List items: `3.2`). */
  label: string;
  value: unknown;
}

/** Splits the text into documents; YAML syntax errors become messages. */
function documents(text: string, source: string): { docs: Doc[]; errors: string[] } {
  const docs: Doc[] = [];
  const errors: string[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    const label = String(i + 1);
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        errors.push(`${source}: document ${label}: ${firstLine(e.message)}`);
      }
      return;
    }
    if (doc.contents === null) return; // empty document: a comment or a trailing ---
    let value: unknown;
    try {
      value = doc.toJS(); // throws on aliases expanding without bound (a "YAML bomb")
    } catch (err) {
      errors.push(`${source}: document ${label}: ${firstLine((err as Error).message)}`);
      return;
    }
    if (isObject(value) && value.kind === "List" && Array.isArray(value.items)) {
      value.items.forEach((item, j) => docs.push({ label: `${label}.${j + 1}`, value: item }));
    } else {
      docs.push({ label, value });
    }
  });
  return { docs, errors };
}

function firstLine(text: string): string {
  return text.split("\n")[0].trim();
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(obj: Record<string, unknown>): string {
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === "string" ? meta.name : "<no name>";
  return `${obj.apiVersion ?? "<no apiVersion>"} ${obj.kind ?? "<no kind>"} ${name}`;
}

/**
 * Paths of the fields in `input` that validation dropped from `output`: a
 * typo such as `autoscalling` that the API server's strict field validation
 * refuses, and that render would otherwise ignore in silence.
 */
export function unknownFields(input: unknown, output: unknown, path: string): string[] {
  if (Array.isArray(input) && Array.isArray(output)) {
    return input.flatMap((item, i) => unknownFields(item, output[i], `${path}[${i}]`));
  }
  if (!isObject(input) || !isObject(output)) return [];
  return Object.keys(input).flatMap((key) =>
    key in output ? unknownFields(input[key], output[key], `${path}.${key}`) : [`${path}.${key}`]
  );
}

/** Puts `namespace` in when the document has none (before validation). */
function withNamespace(obj: Record<string, unknown>, namespace: string): Record<string, unknown> {
  const meta = isObject(obj.metadata) ? obj.metadata : undefined;
  if (!meta || typeof meta.namespace === "string") return obj;
  return { ...obj, metadata: { ...meta, namespace } };
}

/**
 * Parses `text` (from `source`, for messages). Documents whose kind is not
 * FrappeDeployment are skipped with a note; a file without any
 * FrappeDeployment is an error.
 */
export function parseRenderInput(text: string, source: string, namespace: string): InputResult {
  const { docs, errors } = documents(text, source);
  const deployments: FrappeDeployment[] = [];
  const notes: string[] = [];
  const seen = new Set<string>();
  for (const { label, value } of docs) {
    const where = docs.length > 1 ? `${source}: document ${label}` : source;
    if (!isObject(value)) {
      errors.push(`${where}: not a Kubernetes object (a mapping with apiVersion and kind)`);
      continue;
    }
    if (value.kind !== KIND) {
      notes.push(`${where}: skipping ${describe(value)}: not a ${KIND}`);
      continue;
    }
    const parsed = parseFrappeDeployment(withNamespace(value, namespace));
    if (!parsed.ok) {
      const id = isObject(value.metadata) && typeof value.metadata.name === "string"
        ? ` (${KIND} ${value.metadata.name})`
        : "";
      for (const e of parsed.errors) errors.push(`${where}${id}: ${e}`);
      continue;
    }
    const unknown = unknownFields(value.spec, parsed.value.spec, "spec");
    if (unknown.length > 0) {
      const id = ` (${KIND} ${parsed.value.metadata.name})`;
      for (const path of unknown) {
        errors.push(`${where}${id}: ${path}: unknown field (the API server refuses it)`);
      }
      continue;
    }
    const key = `${parsed.value.metadata.namespace}/${parsed.value.metadata.name}`;
    if (seen.has(key)) {
      errors.push(`${where}: ${KIND} ${key} appears twice`);
      continue;
    }
    seen.add(key);
    deployments.push(parsed.value);
  }
  if (docs.length === 0 && errors.length === 0) {
    errors.push(`${source}: no documents (expected a ${KIND}, ${API_VERSION})`);
  } else if (deployments.length === 0 && errors.length === 0) {
    errors.push(`${source}: no ${KIND} (${API_VERSION}) in the file`);
  }
  return { deployments, errors, notes };
}
