/**
 * A stand-in for a storage provisioner, so the scheduler can place pods with
 * claims (the sites RWX volume, the Redis and MariaDB StatefulSets): every
 * Pending PVC gets a hostPath PersistentVolume under the agent's state
 * directory, pre-bound to it through claimRef; the PV controller in
 * kube-controller-manager then binds the two. The PV goes when the claim does.
 */
import { childName } from "../../apis/naming.ts";
import { errorChain } from "../../kube/errors.ts";
import type { Logger } from "../../kube/log.ts";
import type { AgentApi } from "./api.ts";

// deno-lint-ignore no-explicit-any
type Claim = any;

export function pvName(claim: Claim): string {
  return childName(["node-agent", claim.metadata.namespace, claim.metadata.name]);
}

export function volumeFor(claim: Claim, root: string): Record<string, unknown> {
  const ns = claim.metadata.namespace;
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: pvName(claim), labels: { "frappe-op.dev/node-agent": "true" } },
    spec: {
      capacity: { storage: claim.spec?.resources?.requests?.storage ?? "1Gi" },
      accessModes: claim.spec?.accessModes ?? ["ReadWriteOnce"],
      storageClassName: claim.spec?.storageClassName ?? "",
      persistentVolumeReclaimPolicy: "Retain",
      volumeMode: claim.spec?.volumeMode ?? "Filesystem",
      hostPath: { path: `${root}/${ns}/${claim.metadata.name}`, type: "DirectoryOrCreate" },
      claimRef: {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        namespace: ns,
        name: claim.metadata.name,
        uid: claim.metadata.uid,
      },
    },
  };
}

export class Provisioner {
  constructor(readonly api: AgentApi, readonly log: Logger, readonly root: string) {}

  onClaim(type: "added" | "updated" | "deleted", claim: Claim): void {
    const path = `/api/v1/persistentvolumes/${pvName(claim)}`;
    if (type === "deleted") {
      void this.api.transport.request({ method: "DELETE", path }).catch(() => undefined);
      return;
    }
    if (claim.spec?.volumeName || claim.status?.phase !== "Pending") return;
    void (async () => {
      if (await this.api.get(path)) return;
      await this.api.create("/api/v1/persistentvolumes", volumeFor(claim, this.root));
      this.log.info("volume provisioned", {
        claim: `${claim.metadata.namespace}/${claim.metadata.name}`,
      });
    })().catch((err) => this.log.warn("provisioning failed", { error: errorChain(err) }));
  }
}
