/**
 * The objects the operator would create for one autoscaled worker, made
 * without the operator: render's own output (controllers/render) for a
 * FrappeDeployment, cut down to the queue Redis, the config and credentials
 * Secrets, the sites claim, the worker Deployments, their ScaledObjects and
 * the TriggerAuthentication, with ownerReferences removed (no owner exists,
 * the garbage collector would delete them). Proves KEDA + HPA + node agent +
 * real RQ independently of the reconciler.
 */
import { parseFrappeDeployment } from "../../apis/frappedeployment.ts";
import type { KubeObject } from "../../kube/types.ts";
import { cryptoRandomPassword } from "../../controllers/render/context.ts";
import { renderAllObjects } from "../../controllers/render/mod.ts";
import { kubectlOk } from "../support/cluster.ts";

const KEEP = new Set(["Secret", "PersistentVolumeClaim", "ScaledObject", "TriggerAuthentication"]);

function wanted(o: KubeObject): boolean {
  if (KEEP.has(o.kind)) return true;
  if (o.kind === "Service" || o.kind === "StatefulSet") {
    return o.metadata.name.endsWith("-redis-queue");
  }
  return o.kind === "Deployment" && o.metadata.name.includes("-worker-");
}

export function handwrittenObjects(
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
): KubeObject[] {
  const parsed = parseFrappeDeployment({
    apiVersion: "frappe-op.dev/v1alpha1",
    kind: "FrappeDeployment",
    metadata: { name, namespace, uid: crypto.randomUUID(), generation: 1 },
    spec: { sites: [{ name: "e2e.local", apps: [] }], ...spec },
  });
  if (!parsed.ok) throw new Error(`invalid spec: ${parsed.errors.join("; ")}`);
  const objects = renderAllObjects(parsed.value, {
    kedaAvailable: true,
    randomPassword: cryptoRandomPassword,
  });
  return objects.filter(wanted).map((o) => {
    const copy = structuredClone(o);
    delete copy.metadata.ownerReferences;
    // What the reconciler's replicas field manager does once: start at min.
    if (copy.kind === "Deployment" && copy.spec.replicas === undefined) {
      copy.spec.replicas = Number(
        copy.metadata.annotations?.["frappe-op.dev/initial-replicas"] ?? 0,
      );
    }
    return copy;
  });
}

export async function applyObjects(objects: KubeObject[]): Promise<void> {
  const list = { apiVersion: "v1", kind: "List", items: objects };
  await kubectlOk(
    ["apply", "--server-side", "--field-manager", "e2e", "-f", "-"],
    JSON.stringify(list),
  );
}
