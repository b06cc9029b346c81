import assert from "node:assert/strict";
import type { KubeObject } from "../../kube/types.ts";
import { RETRY_ANNOTATION } from "../../apis/frappedeployment.ts";
import { renderBench } from "./bench.ts";
import { makeFd, testCtx } from "./fixture.ts";
import {
  buildConfigureJob,
  buildMigrateJob,
  buildNewSiteJob,
  JOB_SLOT_ANNOTATION,
} from "./jobs.ts";

const fd = makeFd();
// deno-lint-ignore no-explicit-any
type Any = any;
const c = (job: KubeObject): Any => job.spec.template.spec.containers[0];
const envOf = (job: KubeObject): Record<string, Any> =>
  Object.fromEntries((c(job).env as { name: string }[]).map((e) => [e.name, e]));

Deno.test("jobs: restartPolicy Never, names <fd>-<job>-<8 hex>", () => {
  const jobs = renderBench(fd, testCtx()).filter((p) =>
    ["configure", "sites", "migrate"].includes(p.phase)
  ).flatMap((p) => p.objects);
  assert.equal(jobs.length, 3);
  for (const j of jobs) {
    assert.equal(j.kind, "Job");
    assert.equal(j.spec.template.spec.restartPolicy, "Never");
    assert.match(j.metadata.name, /^erp-(configure|new-site-erp-example-com|migrate)-[0-9a-f]{8}$/);
  }
});

Deno.test("configure: mounts the config Secret read-only and runs the merge script", () => {
  const job = buildConfigureJob(fd, "data");
  assert.equal(c(job).args[1], "-c");
  assert.match(c(job).args[2], /common_site_config\.json/);
  assert.match(c(job).args[2], /apps\.txt/);
  assert.deepEqual(c(job).volumeMounts[1], {
    name: "config",
    mountPath: "/etc/frappe-op",
    readOnly: true,
  });
  assert.equal(job.spec.template.spec.volumes[1].secret.secretName, "erp-config");
  assert.notEqual(
    buildConfigureJob(fd, "other").metadata.name,
    job.metadata.name,
    "new config, new Job",
  );
});

Deno.test("configure: external Redis password comes from the user's Secret as env", () => {
  const ext = makeFd({
    redis: {
      queue: { external: { url: "redis://q:6379", passwordSecretRef: { name: "rq", key: "pw" } } },
    },
  });
  assert.deepEqual(envOf(buildConfigureJob(ext, "d")).REDIS_QUEUE_PASSWORD, {
    name: "REDIS_QUEUE_PASSWORD",
    valueFrom: { secretKeyRef: { name: "rq", key: "pw" } },
  });
});

Deno.test("new-site: site and apps as arguments, passwords from Secrets, idempotent script", () => {
  const site = { name: "erp.example.com", apps: ["erpnext", "hrms"] };
  const job = buildNewSiteJob(fd, site);
  const args = c(job).args as string[];
  assert.deepEqual([args[0], args[1]], ["bash", "-c"]);
  assert.deepEqual(args.slice(3), ["new-site", "erp.example.com", "erpnext", "hrms"]);
  assert.match(args[2], /if \[ -f "sites\/\$site\/site_config.json" \]/);
  assert.match(args[2], /bench new-site "\$site"/);
  const env = envOf(job);
  assert.equal(env.SCOPE_FLAG.value, "--mariadb-user-host-login-scope=%");
  assert.deepEqual(env.DB_ROOT_PASSWORD.valueFrom, {
    secretKeyRef: { name: "erp-credentials", key: "mariadb-root-password" },
  });
  assert.deepEqual(env.ADMIN_PASSWORD.valueFrom, {
    secretKeyRef: { name: "erp-credentials", key: "admin-password" },
  });
  const v14 = buildNewSiteJob(makeFd({ frappeVersion: "14" }), site);
  assert.equal(envOf(v14).SCOPE_FLAG.value, "--no-mariadb-socket");
  const own = buildNewSiteJob(fd, { ...site, adminPasswordSecretRef: { name: "adm", key: "k" } });
  assert.deepEqual(envOf(own).ADMIN_PASSWORD.valueFrom, {
    secretKeyRef: { name: "adm", key: "k" },
  });
});

Deno.test("new-site: external database root user from the user's Secret", () => {
  const ext = makeFd({
    database: {
      external: { host: "db", credentialsSecretRef: { name: "dbroot", usernameKey: "u" } },
    },
  });
  const env = envOf(buildNewSiteJob(ext, ext.spec.sites[0]));
  assert.deepEqual(env.DB_ROOT_USERNAME.valueFrom, { secretKeyRef: { name: "dbroot", key: "u" } });
  assert.deepEqual(env.DB_ROOT_PASSWORD.valueFrom, {
    secretKeyRef: { name: "dbroot", key: "password" },
  });
});

Deno.test("migrate: bench --site all migrate; a new image gives a new Job name, same image the same", () => {
  const job = buildMigrateJob(fd);
  assert.match(c(job).args[2], /bench --site all migrate/);
  assert.equal(buildMigrateJob(makeFd()).metadata.name, job.metadata.name);
  assert.notEqual(
    buildMigrateJob(makeFd({ image: "frappe/erpnext:v15.106.0" })).metadata.name,
    job.metadata.name,
  );
  assert.deepEqual(
    renderBench(makeFd({ sites: [] }), testCtx()).find((p) => p.phase === "migrate")?.objects,
    [],
  );
});

/** Job names by slot (configure, new-site/<site>, migrate) for a spec. */
function jobNames(spec: Record<string, unknown> = {}): Record<string, string> {
  const jobs = renderBench(makeFd(spec), testCtx()).flatMap((p) => p.objects)
    .filter((o) => o.kind === "Job");
  return Object.fromEntries(
    jobs.map((j) => [j.metadata.annotations![JOB_SLOT_ANNOTATION], j.metadata.name]),
  );
}

Deno.test("job names: pod annotations, scheduling knobs and pull secrets rerun nothing", () => {
  const base = jobNames();
  assert.deepEqual(Object.keys(base).sort(), ["configure", "migrate", "new-site/erp.example.com"]);
  const unrelated = {
    podAnnotations: { "prometheus.io/scrape": "true" },
    nodeSelector: { pool: "frappe" },
    tolerations: [{ key: "dedicated", operator: "Exists" }],
    imagePullSecrets: [{ name: "registry" }],
    affinity: { nodeAffinity: {} },
    serviceAccountName: "bench",
  };
  for (const [field, value] of Object.entries(unrelated)) {
    assert.deepEqual(jobNames({ [field]: value }), base, `${field} must not rename a Job`);
  }
});

Deno.test("job names: a new image reruns configure and migrate, not new-site", () => {
  const base = jobNames();
  const upgraded = jobNames({ image: "frappe/erpnext:v15.106.0" });
  assert.notEqual(upgraded.configure, base.configure, "apps.txt comes from the image");
  assert.notEqual(upgraded.migrate, base.migrate);
  assert.equal(upgraded["new-site/erp.example.com"], base["new-site/erp.example.com"]);
  const v16 = jobNames({ frappeVersion: "16" });
  assert.notEqual(v16.migrate, base.migrate, "the Frappe version is part of migrate's purpose");
});

Deno.test("job names: a config change reruns configure only; new apps rerun that site only", () => {
  const base = jobNames();
  const custom = jobNames({ workers: { custom: [{ name: "reports", timeout: 600 }] } });
  assert.notEqual(custom.configure, base.configure);
  assert.equal(custom.migrate, base.migrate);
  assert.equal(custom["new-site/erp.example.com"], base["new-site/erp.example.com"]);
  const sites = [
    { name: "erp.example.com", apps: ["erpnext", "hrms"] },
    { name: "b.example.com", apps: [] },
  ];
  const more = jobNames({ sites });
  assert.notEqual(more["new-site/erp.example.com"], base["new-site/erp.example.com"]);
  assert.equal(more.configure, base.configure);
  assert.equal(more.migrate, base.migrate);
  assert.equal(
    jobNames({ sites: [...sites].reverse() })["new-site/b.example.com"],
    more["new-site/b.example.com"],
  );
});

Deno.test("the retry annotation is copied onto every Job, never into a name", () => {
  const retried = makeFd();
  retried.metadata.annotations = { [RETRY_ANNOTATION]: "2" };
  const jobs = renderBench(retried, testCtx()).flatMap((p) => p.objects)
    .filter((o) => o.kind === "Job");
  assert.equal(jobs.length, 3);
  for (const j of jobs) assert.equal(j.metadata.annotations?.[RETRY_ANNOTATION], "2");
  assert.deepEqual(
    jobs.map((j) => j.metadata.name).sort(),
    Object.values(jobNames()).sort(),
  );
});
