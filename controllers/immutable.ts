/**
 * What a live object can no longer change is rendered as it is live, before
 * the dry-run gate and the rollout see it: a StatefulSet's
 * volumeClaimTemplates (immutable), a claim's storage class and access modes
 * (immutable) and its size (it grows, never shrinks). Otherwise one such
 * field, changed in the spec where the CRD cannot see it (a database block
 * added to a bench that had the default one), is refused on every reconcile
 * and blocks every later change, an image upgrade included. What was kept
 * is said once per operator process in a Warning event (reconcile.ts).
 */
import { quantityValue } from "../kube/quantity.ts";
import { refOf } from "../kube/client.ts";
import type { KubeObject } from "../kube/types.ts";
import { childId } from "./children.ts";
import type { ReconcileDeps } from "./deps.ts";
import type { RenderPhase } from "./render/mod.ts";

export interface Kept {
  phases: RenderPhase[];
  /** One line per field kept at its live value, naming the object. */
  notices: string[];
}

// deno-lint-ignore no-explicit-any
type Any = any;

export async function keepImmutable(phases: RenderPhase[], deps: ReconcileDeps): Promise<Kept> {
  const notices: string[] = [];
  const out: RenderPhase[] = [];
  for (const phase of phases) {
    const objects: KubeObject[] = [];
    for (const obj of phase.objects) {
      objects.push(await fitted(obj, deps, notices));
    }
    out.push({ ...phase, objects });
  }
  return { phases: out, notices };
}

async function fitted(
  obj: KubeObject,
  deps: ReconcileDeps,
  notices: string[],
): Promise<KubeObject> {
  if (obj.kind !== "StatefulSet" && obj.kind !== "PersistentVolumeClaim") return obj;
  const live = await deps.reader.get(refOf(obj));
  if (!live) return obj;
  const copy = structuredClone(obj) as Any;
  const say = (what: string) => notices.push(`${childId(obj)}: ${what}`);
  if (obj.kind === "PersistentVolumeClaim") {
    fitClaim(copy.spec, (live as Any).spec ?? {}, say, true);
  } else {
    const liveTemplates: Any[] = (live as Any).spec?.volumeClaimTemplates ?? [];
    for (const t of copy.spec?.volumeClaimTemplates ?? []) {
      const l = liveTemplates.find((x) => x.metadata?.name === t.metadata?.name);
      if (l) fitClaim(t.spec, l.spec ?? {}, (w) => say(`volume ${t.metadata.name}: ${w}`), false);
    }
  }
  return copy;
}

/**
 * `grows`: a claim's size may increase (volume expansion); a template's may
 * not change. A field the spec leaves out takes the live value silently (a
 * default storage class, say).
 */
function fitClaim(want: Any, live: Any, say: (what: string) => void, grows: boolean): void {
  if (want.storageClassName !== live.storageClassName) {
    if (want.storageClassName !== undefined) {
      say(
        `kept storageClassName ${live.storageClassName ?? "(none)"} ` +
          `(the spec asks ${want.storageClassName})`,
      );
    }
    setOrDelete(want, "storageClassName", live.storageClassName);
  }
  if (live.accessModes && JSON.stringify(want.accessModes) !== JSON.stringify(live.accessModes)) {
    say(`kept accessModes ${live.accessModes.join(",")} (the spec asks ${want.accessModes})`);
    want.accessModes = live.accessModes;
  }
  const asked = want.resources?.requests?.storage;
  const have = live.resources?.requests?.storage;
  const a = quantityValue(asked), h = quantityValue(have);
  if (a === undefined || h === undefined || (grows && a > h)) return;
  if (a !== h) {
    say(
      grows
        ? `kept size ${have}, larger than the spec's ${asked} (a volume does not shrink)`
        : `kept size ${have} (the spec asks ${asked}; a StatefulSet's volumeClaimTemplates ` +
          "cannot change: resize its claims by hand)",
    );
  }
  want.resources.requests.storage = have;
}

function setOrDelete(obj: Any, key: string, value: unknown): void {
  if (value === undefined) delete obj[key];
  else obj[key] = value;
}
