/**
 * One-shot Jobs: configure, new-site (one per site), migrate. A Job's name
 * ends with a hash of what it is for, not of its pod template: the reconciler
 * creates a Job once and never re-applies it (the template is immutable), so
 * a new name is a new run.
 *
 *  - configure: the config it writes (passwords included), the image (apps.txt
 *    lists the image's apps) and where an external Redis password comes from;
 *  - new-site: the site and its apps (creating a site is done once; a new
 *    image is migrate's work);
 *  - migrate: the image and the Frappe version.
 *
 * Pod annotations, scheduling knobs or pull secrets change none of these, so
 * changing them reruns nothing.
 */
import { type FrappeDeployment, RETRY_ANNOTATION, type Site } from "../../apis/frappedeployment.ts";
import type { KubeObject } from "../../kube/types.ts";
import { BENCH_DIR, childNames, frappePodTemplate, jobName, objectMeta } from "./common.ts";
import { CONFIG_KEY } from "./config.ts";
import { CredentialKey, credentialRef } from "./credentials.ts";
import { CONFIG_MOUNT, CONFIGURE_SCRIPT, MIGRATE_SCRIPT, NEW_SITE_SCRIPT } from "./scripts.ts";
import { frappeContainer } from "./workload.ts";

type Env = Record<string, unknown>;

/**
 * Which run a Job is: `configure`, `migrate` or `new-site/<site>`. Two Jobs of
 * one slot never run at the same time (controllers/jobs.ts).
 */
export const JOB_SLOT_ANNOTATION = "frappe-op.dev/job-slot";

interface JobOptions {
  /** What the Job is for: its name hashes exactly this. */
  purpose: unknown;
  slot: string;
  middle?: string;
  volumes?: Record<string, unknown>[];
}

function job(
  fd: FrappeDeployment,
  kind: string,
  container: Record<string, unknown>,
  opts: JobOptions,
): KubeObject {
  const template = frappePodTemplate(fd, kind, [container]);
  const spec = template.spec as Record<string, unknown>;
  spec.restartPolicy = "Never";
  spec.volumes = [...(spec.volumes as unknown[]), ...(opts.volumes ?? [])];
  const name = jobName(fd, kind, JSON.stringify(opts.purpose), opts.middle);
  // Not in the name: a retry reruns only a Job that failed (controllers/jobs.ts).
  const retry = fd.metadata.annotations?.[RETRY_ANNOTATION];
  const annotations = {
    [JOB_SLOT_ANNOTATION]: opts.slot,
    ...(retry === undefined ? {} : { [RETRY_ANNOTATION]: retry }),
  };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: objectMeta(fd, name, kind, { annotations }),
    spec: { backoffLimit: 6, template },
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
  const purpose = { config: configData, image: fd.spec.image, env: externalRedisEnv(fd) };
  return job(fd, "configure", container, { volumes, purpose, slot: "configure" });
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
  return job(fd, "new-site", container, {
    middle: site.name,
    purpose: { site: site.name, apps: site.apps },
    slot: `new-site/${site.name}`,
  });
}

/** `bench --site all migrate`, once per image. */
export function buildMigrateJob(fd: FrappeDeployment): KubeObject {
  const container = frappeContainer(fd, {
    name: "migrate",
    component: "migrate",
    replicas: 1,
    args: ["bash", "-c", MIGRATE_SCRIPT],
  });
  const purpose = { image: fd.spec.image, frappeVersion: fd.spec.frappeVersion };
  return job(fd, "migrate", container, { purpose, slot: "migrate" });
}
