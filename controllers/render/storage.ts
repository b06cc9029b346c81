/** The sites volume `<fd>-sites` (ReadWriteMany), unless the user brings a claim. */
import type { FrappeDeployment } from "../../apis/frappedeployment.ts";
import type { KubeObject } from "../../kube/types.ts";
import { childNames, compact, objectMeta } from "./common.ts";

export function buildSitesPvc(fd: FrappeDeployment): KubeObject[] {
  const storage = fd.spec.storage;
  if (storage.existingClaim) return [];
  return [{
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: objectMeta(fd, childNames(fd).sites, "sites"),
    spec: compact({
      accessModes: [storage.accessMode],
      storageClassName: storage.storageClassName,
      resources: { requests: { storage: storage.size } },
    }),
  }];
}
