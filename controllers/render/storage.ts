/**
 * The sites volume `<fd>-sites` (ReadWriteMany), unless the user brings a
 * claim; kept under `deletionPolicy: Retain` (its site_config.json files hold
 * each site's database password).
 */
import type { FrappeDeployment } from "../../apis/frappedeployment.ts";
import type { KubeObject } from "../../kube/types.ts";
import { childNames, compact, dataMeta } from "./common.ts";

export function buildSitesPvc(fd: FrappeDeployment): KubeObject[] {
  const storage = fd.spec.storage;
  if (storage.existingClaim) return [];
  return [{
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: dataMeta(fd, childNames(fd).sites, "sites"),
    spec: compact({
      accessModes: [storage.accessMode],
      storageClassName: storage.storageClassName,
      resources: { requests: { storage: storage.size } },
    }),
  }];
}
