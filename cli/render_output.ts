/**
 * `frappe-op render` without a cluster: renders a FrappeDeployment with the
 * operator's own render (controllers/render) in a context that needs nothing
 * from the API server, and prints the children as multi-document YAML.
 *
 * What a cluster would supply is replaced by clearly fake values: the
 * FrappeDeployment's uid (ownerReferences) and the generated passwords.
 */
import YAML from "yaml";
import {
  applyAutoscalingDefault,
  AUTOSCALING_DEFAULT_ANNOTATION,
  autoscalingDefaultFor,
} from "../apis/autoscaling_default.ts";
import { benchIdOf, type FrappeDeployment } from "../apis/frappedeployment.ts";
import type { KubeObject } from "../kube/types.ts";
import { CREDENTIAL_KEYS, fromBase64, toBase64 } from "../controllers/render/credentials.ts";
import { renderAll, type RenderContext, type RenderPhase } from "../controllers/render/mod.ts";
import { workerModes } from "../controllers/render/workers.ts";

/** Stands in for the uid the API server gives a FrappeDeployment. */
export const PLACEHOLDER_UID = "00000000-0000-0000-0000-000000000000";
/** Stands in for every password the operator generates. */
export const PLACEHOLDER_PASSWORD = "GENERATED-BY-OPERATOR";

export interface OfflineOptions {
  /** Render as if KEDA's CRDs were installed. */
  kedaAvailable: boolean;
  /** The operator's --autoscaling-default (for FrappeDeployments without the annotation). */
  autoscalingDefault: boolean;
  operatorNamespace: string;
  kedaNamespace: string;
}

export interface Rendered {
  fd: FrappeDeployment;
  ctx: RenderContext;
  phases: RenderPhase[];
}

/** A credentials Secret whose every value is the placeholder. */
function placeholderCredentials(): KubeObject {
  const data = Object.fromEntries(CREDENTIAL_KEYS.map((k) => [k, toBase64(PLACEHOLDER_PASSWORD)]));
  return { apiVersion: "v1", kind: "Secret", metadata: { name: "placeholder" }, data };
}

/** Renders one validated FrappeDeployment the way the reconciler would (spec step included). */
export function renderOffline(fd: FrappeDeployment, opts: OfflineOptions): Rendered {
  const withUid = { ...fd, metadata: { ...fd.metadata, uid: fd.metadata.uid ?? PLACEHOLDER_UID } };
  const spec = applyAutoscalingDefault(
    withUid,
    autoscalingDefaultFor(withUid, opts.autoscalingDefault),
  );
  const ctx: RenderContext = {
    kedaAvailable: opts.kedaAvailable,
    operatorNamespace: opts.operatorNamespace,
    kedaNamespace: opts.kedaNamespace,
    existingCredentials: placeholderCredentials(),
  };
  return { fd: spec, ctx, phases: renderAll(spec, ctx) };
}

/** Secrets are shown with decoded `stringData` (their values are placeholders or config). */
function forDisplay(obj: KubeObject): KubeObject {
  if (obj.kind !== "Secret" || !obj.data) return obj;
  const { data, ...rest } = obj;
  const stringData = Object.fromEntries(
    Object.entries(data as Record<string, string>).map(([k, v]) => [k, fromBase64(v)]),
  );
  return { ...rest, stringData };
}

function header(opts: OfflineOptions, version: string): string {
  const lines = [
    `frappe-op render ${version}: the objects the operator would apply, rendered offline.`,
    "Nothing was read from a cluster, so:",
    `- ownerReferences carry the placeholder uid ${PLACEHOLDER_UID} (unless the`,
    "  input has metadata.uid); the API server gives each FrappeDeployment its real uid.",
    "  Under deletionPolicy Retain (the default) the data (sites PVC, credentials) has none.",
    `- generated passwords read ${PLACEHOLDER_PASSWORD}: the operator creates random ones`,
    "  at the first reconcile and keeps them in <name>-credentials. Secrets are shown",
    "  with decoded stringData; the operator applies them as data.",
    "- the configure Job's name hashes the configuration including passwords, so its",
    "  suffix differs from the one in a cluster.",
    opts.kedaAvailable
      ? "- KEDA is assumed installed (--keda=true): autoscaled workers get ScaledObjects."
      : "- KEDA is assumed absent (--keda=false): autoscaled workers fall back to static replicas.",
    `- autoscaling.enabled left unset follows the ${AUTOSCALING_DEFAULT_ANNOTATION}`,
    `  annotation, else --autoscaling-default=${opts.autoscalingDefault}.`,
    "Phases are in rollout order: the operator applies a phase and waits for it (data",
    "stores ready, Jobs complete) before it applies the next.",
  ];
  return lines.map((l) => `# ${l}`).join("\n") + "\n";
}

function workersLine(r: Rendered): string {
  const parts = workerModes(r.fd, r.ctx).map((w) =>
    w.mode === "autoscaled"
      ? `${w.type} autoscaled ${w.minReplicas}..${w.maxReplicas}`
      : `${w.type} ${w.mode} ${w.replicas}`
  );
  return `# workers: ${parts.join(", ")}\n`;
}

/** The whole output: a header, then per FrappeDeployment its phases and objects. */
export function formatRendered(items: Rendered[], opts: OfflineOptions, version: string): string {
  let out = header(opts, version);
  for (const r of items) {
    const { namespace, name } = r.fd.metadata;
    out += `\n# FrappeDeployment ${namespace}/${name} (bench id ${benchIdOf(r.fd)})\n`;
    out += workersLine(r);
    for (const phase of r.phases) {
      if (phase.objects.length === 0) {
        out += `# phase: ${phase.phase}\n#   (nothing to apply)\n`;
        continue;
      }
      phase.objects.forEach((obj, i) => {
        out += "---\n";
        if (i === 0) out += `# phase: ${phase.phase}\n`;
        out += YAML.stringify(forDisplay(obj), { lineWidth: 0 });
      });
    }
  }
  return out;
}
