/** Managed MariaDB: StatefulSet + headless Service `<fd>-mariadb`, utf8mb4 as Frappe needs. */
import type { FrappeDeployment } from "../../apis/frappedeployment.ts";
import type { KubeObject } from "../../kube/types.ts";
import { childNames, service } from "./common.ts";
import { CredentialKey, credentialRef } from "./credentials.ts";
import { dataStoreWorkload } from "./datastore.ts";
import { MARIADB_PORT } from "./site_config.ts";

/** Server options Frappe requires (frappe_docker's mariadb command). */
export const MARIADB_ARGS = [
  "--character-set-server=utf8mb4",
  "--collation-server=utf8mb4_unicode_ci",
  "--skip-character-set-client-handshake",
  "--skip-innodb-read-only-compressed",
];

export function buildMariadb(fd: FrappeDeployment): KubeObject[] {
  const managed = fd.spec.database.managed;
  if (!managed) return [];
  const name = childNames(fd).mariadb;
  const workload = dataStoreWorkload(fd, {
    name,
    component: "mariadb",
    image: managed.image,
    port: MARIADB_PORT,
    args: MARIADB_ARGS,
    env: [
      { name: "MARIADB_ROOT_PASSWORD", valueFrom: credentialRef(fd, CredentialKey.mariadbRoot) },
    ],
    resources: managed.resources,
    volume: {
      mountPath: "/var/lib/mysql",
      size: managed.storageSize,
      storageClassName: managed.storageClassName,
    },
  });
  return [service(fd, name, "mariadb", MARIADB_PORT, true), workload];
}
