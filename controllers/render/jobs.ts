/**
 * One-shot Jobs: configure, new-site (one per site), migrate. A Job's pod
 * template is immutable, so each name ends with a hash of what the Job runs:
 * a changed config, site or image yields a new Job, an unchanged one the
 * same name (and nothing to do).
 */
import type { FrappeDeployment, Site } from "../../apis/frappedeployment.ts";
import type { KubeObject } from "../../kube/types.ts";
import {
  BENCH_DIR,
  childNames,
  CONFIG_HASH_ANNOTATION,
  frappePodTemplate,
  jobName,
  objectMeta,
} from "./common.ts";
import { CONFIG_KEY } from "./config.ts";
import { CredentialKey, credentialRef } from "./credentials.ts";
import { CONFIG_MOUNT, CONFIGURE_SCRIPT, MIGRATE_SCRIPT, NEW_SITE_SCRIPT } from "./scripts.ts";
import { frappeContainer } from "./workload.ts";

type Env = Record<string, unknown>;

function job(
  fd: FrappeDeployment,
  kind: string,
  container: Record<string, unknown>,
  opts: { middle?: string; hashExtra?: string; volumes?: Record<string, unknown>[] } = {},
): KubeObject {
  const template = frappePodTemplate(fd, kind, [container]);
  // A Job's name hashes its template: without the config hash, a config change
  // reruns only the configure Job (whose name hashes the config itself).
  const annotations = (template.metadata as { annotations: Record<string, string> }).annotations;
  delete annotations[CONFIG_HASH_ANNOTATION];
  const spec = template.spec as Record<string, unknown>;
  spec.restartPolicy = "Never";
  spec.volumes = [...(spec.volumes as unknown[]), ...(opts.volumes ?? [])];
  const jobSpec = { backoffLimit: 6, template };
  const name = jobName(fd, kind, JSON.stringify(jobSpec) + (opts.hashExtra ?? ""), opts.middle);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: objectMeta(fd, name, kind),
    spec: jobSpec,
  };
}

function secretEnv(name: string, secret: string, key: string): Env {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
}

function externalRedisEnv(fd: FrappeDeployment): Env[] {
  const env: Env[] = [];
  const { queue, cache } = fd.spec.redis;
  const q = queue.external?.passwordSecretRef;
  const c = cache.external?.passwordSecretRef;
  if (q) env.push(secretEnv("REDIS_QUEUE_PASSWORD", q.name, q.key));
  if (c) env.push(secretEnv("REDIS_CACHE_PASSWORD", c.name, c.key));
  return env;
}

/** Writes common_site_config.json (from the `<fd>-config` Secret) and apps.txt. */
export function buildConfigureJob(fd: FrappeDeployment, configData: string): KubeObject {
  const base = frappeContainer(fd, {
    name: "configure",
    component: "configure",
    replicas: 1,
    args: [`${BENCH_DIR}/env/bin/python`, "-c", CONFIGURE_SCRIPT],
    env: externalRedisEnv(fd),
  });
  const mounts = base.volumeMounts as unknown[];
  const container = {
    ...base,
    volumeMounts: [...mounts, { name: "config", mountPath: CONFIG_MOUNT, readOnly: true }],
  };
  const volumes = [{
    name: "config",
    secret: { secretName: childNames(fd).config, items: [{ key: CONFIG_KEY, path: CONFIG_KEY }] },
  }];
  // The Secret's content (passwords included) changes the name, not the template.
  return job(fd, "configure", container, { volumes, hashExtra: configData });
}

function dbRootEnv(fd: FrappeDeployment): Env[] {
  const external = fd.spec.database.external;
  if (!external) {
    return [
      { name: "DB_ROOT_USERNAME", value: "root" },
      { name: "DB_ROOT_PASSWORD", valueFrom: credentialRef(fd, CredentialKey.mariadbRoot) },
    ];
  }
  const ref = external.credentialsSecretRef;
  return [
    secretEnv("DB_ROOT_USERNAME", ref.name, ref.usernameKey),
    secretEnv("DB_ROOT_PASSWORD", ref.name, ref.passwordKey),
  ];
}

export function scopeFlag(fd: FrappeDeployment): string {
  return fd.spec.frappeVersion === "14"
    ? "--no-mariadb-socket"
    : "--mariadb-user-host-login-scope=%";
}

/** `bench new-site` for one site; skips creation when the site directory exists. */
export function buildNewSiteJob(fd: FrappeDeployment, site: Site): KubeObject {
  const admin = site.adminPasswordSecretRef;
  const adminEnv = admin
    ? secretEnv("ADMIN_PASSWORD", admin.name, admin.key)
    : { name: "ADMIN_PASSWORD", valueFrom: credentialRef(fd, CredentialKey.admin) };
  const container = frappeContainer(fd, {
    name: "new-site",
    component: "new-site",
    replicas: 1,
    args: ["bash", "-c", NEW_SITE_SCRIPT, "new-site", site.name, ...site.apps],
    env: [{ name: "SCOPE_FLAG", value: scopeFlag(fd) }, ...dbRootEnv(fd), adminEnv],
  });
  return job(fd, "new-site", container, { middle: site.name });
}

/** `bench --site all migrate`; the name carries a hash of the image (and the template). */
export function buildMigrateJob(fd: FrappeDeployment): KubeObject {
  const container = frappeContainer(fd, {
    name: "migrate",
    component: "migrate",
    replicas: 1,
    args: ["bash", "-c", MIGRATE_SCRIPT],
  });
  return job(fd, "migrate", container, { hashExtra: fd.spec.image });
}
