/**
 * docs/api.md, the field reference of FrappeDeployment, generated from the
 * CRD's openAPIV3Schema (apis/crd.ts): every field with its type, default,
 * constraints and description, and the CEL rules the API server enforces.
 * `hack/gen-api-docs.ts` writes it; `apis/api_docs_test.ts` fails when stale.
 */
import { API_VERSION, KIND } from "./frappedeployment.ts";
import { openApiSchema } from "./crd.ts";
import type { JsonSchema } from "./structural.ts";

type Node = JsonSchema & {
  type?: string;
  description?: string;
  properties?: Record<string, Node>;
  items?: Node;
  additionalProperties?: Node | boolean;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  "x-kubernetes-validations"?: { rule: string; message: string }[];
};

const RESOURCES_ANCHOR = "resources";

/** `{requests, limits}` everywhere is one shared section. */
function isResources(n: Node): boolean {
  const keys = Object.keys(n.properties ?? {}).sort().join(",");
  return keys === "limits,requests";
}

function hasFields(n: Node): boolean {
  return Object.keys(n.properties ?? {}).length > 0;
}

/** The anchor GitHub gives a heading: lowercase, punctuation dropped, spaces to '-'. */
function anchor(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9 _-]/g, "").replace(/ /g, "-");
}

function typeOf(n: Node, path: string): string {
  if (n["x-kubernetes-int-or-string"]) return "quantity (int or string)";
  if (n.type === "array" && n.items) {
    const inner = n.items;
    return hasFields(inner)
      ? `[array of objects](#${anchor(`${path}[]`)})`
      : `${typeOf(inner, path)}[]`;
  }
  if (n.type === "object") {
    if (isResources(n)) return `[resources](#${RESOURCES_ANCHOR})`;
    if (hasFields(n)) return `[object](#${anchor(path)})`;
    const extra = n.additionalProperties;
    if (extra && typeof extra === "object") return `map[string]${typeOf(extra, path)}`;
    return "object (free-form)";
  }
  return n.type ?? "any";
}

function constraints(n: Node): string[] {
  const out: string[] = [];
  if (n.enum) out.push(`one of ${n.enum.map((e) => `\`${e}\``).join(", ")}`);
  if (n.minimum !== undefined || n.maximum !== undefined) {
    out.push(`${n.minimum ?? "…"}..${n.maximum ?? "…"}`);
  }
  if (n.maxLength !== undefined) out.push(`at most ${n.maxLength} characters`);
  if (n.maxItems !== undefined) out.push(`at most ${n.maxItems} items`);
  if (n.minItems !== undefined && n.minItems !== 0) out.push(`at least ${n.minItems} item(s)`);
  if (n["x-kubernetes-list-type"] === "map") {
    out.push(`unique by \`${(n["x-kubernetes-list-map-keys"] as string[]).join(", ")}\``);
  } else if (n["x-kubernetes-list-type"] === "set") out.push("unique items");
  return out;
}

function defaultOf(n: Node): string {
  if (n.default === undefined) return "";
  const text = JSON.stringify(n.default);
  if (text.length > 70) return "see its fields";
  return `\`${text}\``;
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function fieldRow(name: string, n: Node, path: string, required: boolean): string {
  const desc = [n.description ?? "", ...constraints(n).map((c) => `(${c})`)]
    .filter(Boolean).join(" ");
  const field = `\`${name}\`${required ? " (required)" : ""}`;
  return `| ${field} | ${typeOf(n, path)} | ${cell(defaultOf(n))} | ${cell(desc)} |`;
}

function rules(n: Node): string {
  const list = n["x-kubernetes-validations"] ?? [];
  if (list.length === 0) return "";
  const lines = list.map((r) => `- ${r.message}`);
  return `\nRules the API server checks here:\n\n${lines.join("\n")}\n`;
}

/** One section per object that has fields (resources excepted), depth first. */
function sections(n: Node, path: string, out: string[]): void {
  if (n.type === "array" && n.items && hasFields(n.items)) {
    sections(n.items, `${path}[]`, out);
    return;
  }
  if (!hasFields(n) || isResources(n)) return;
  const required = new Set(n.required ?? []);
  const rows = Object.entries(n.properties!).map(([k, v]) =>
    fieldRow(k, v, `${path}.${k}`, required.has(k))
  );
  out.push(
    `### \`${path}\`\n\n${n.description ? `${n.description}\n\n` : ""}` +
      "| Field | Type | Default | Description |\n| --- | --- | --- | --- |\n" +
      `${rows.join("\n")}\n${rules(n)}`,
  );
  for (const [k, v] of Object.entries(n.properties!)) sections(v, `${path}.${k}`, out);
}

function findResources(n: Node): Node | undefined {
  if (isResources(n)) return n;
  for (const child of [...Object.values(n.properties ?? {}), n.items].filter(Boolean)) {
    const found = findResources(child as Node);
    if (found) return found;
  }
  return undefined;
}

export const API_DOCS_PATH = "docs/api.md";

export function apiDocs(): string {
  const root = openApiSchema() as Node;
  const spec = root.properties!.spec;
  const status = root.properties!.status;
  const specOut: string[] = [];
  const statusOut: string[] = [];
  sections(spec, "spec", specOut);
  sections(status, "status", statusOut);
  const resources = findResources(spec);
  const resourcesSection = resources
    ? `### resources\n\n${resources.description ?? ""}\n\n` +
      "| Field | Type | Default | Description |\n| --- | --- | --- | --- |\n" +
      Object.entries(resources.properties!).map(([k, v]) => fieldRow(k, v, k, false)).join("\n") +
      "\n"
    : "";
  return [
    `# ${KIND} API reference (\`${API_VERSION}\`)`,
    "<!-- Generated by hack/gen-api-docs.ts from the CRD schema in apis/. Do not edit: " +
    "run `make manifests`. -->",
    `${root.description}\n\nEvery field is optional unless marked required; defaults are ` +
    "applied by the API server (CRD defaults) and again by the operator. The guide with " +
    "examples is the [README](../README.md#the-frappedeployment-resource); autoscaling in " +
    "depth is in [autoscaling.md](autoscaling.md).",
    rules(root).trim(),
    "## Spec",
    ...specOut,
    resourcesSection,
    "## Status\n\nWritten by the operator through the status subresource; read by " +
    "`frappe-op status` and `kubectl get fd`.",
    ...statusOut,
  ].filter((s) => s.length > 0).map((s) => s.trimEnd()).join("\n\n") + "\n";
}
