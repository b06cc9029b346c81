/** The web tier: gunicorn (8000), nginx front end (8080), socket.io (9000). */
import type { FrappeDeployment } from "../../apis/frappedeployment.ts";
import type { KubeObject } from "../../kube/types.ts";
import { BENCH_DIR, childNames, serviceHost, SITES_DIR } from "./common.ts";
import { SOCKETIO_PORT } from "./site_config.ts";
import { buildFrappeProcess } from "./workload.ts";

export const GUNICORN_PORT = 8000;
export const NGINX_PORT = 8080;

export function gunicornArgs(fd: FrappeDeployment): string[] {
  const web = fd.spec.web;
  return [
    `${BENCH_DIR}/env/bin/gunicorn`,
    `--chdir=${SITES_DIR}`,
    `--bind=0.0.0.0:${GUNICORN_PORT}`,
    `--threads=${web.threads}`,
    `--workers=${web.workers}`,
    "--worker-class=gthread",
    "--worker-tmp-dir=/dev/shm",
    `--timeout=${web.timeout}`,
    "--preload",
    "frappe.app:application",
  ];
}

export function buildGunicorn(fd: FrappeDeployment): KubeObject[] {
  return buildFrappeProcess(fd, {
    name: childNames(fd).gunicorn,
    component: "gunicorn",
    replicas: fd.spec.web.replicas,
    args: gunicornArgs(fd),
    port: GUNICORN_PORT,
    resources: fd.spec.web.resources,
  });
}

/** One site: route every Host to it (port-forward works); several: route by Host. */
function siteNameHeader(fd: FrappeDeployment): string {
  return fd.spec.sites.length === 1 ? fd.spec.sites[0].name : "$host";
}

export function nginxEnv(fd: FrappeDeployment): Record<string, unknown>[] {
  const names = childNames(fd);
  const env: Record<string, string> = {
    BACKEND: `${serviceHost(fd, names.gunicorn)}:${GUNICORN_PORT}`,
    SOCKETIO: `${serviceHost(fd, names.socketio)}:${SOCKETIO_PORT}`,
    FRAPPE_SITE_NAME_HEADER: siteNameHeader(fd),
    UPSTREAM_REAL_IP_ADDRESS: "127.0.0.1",
    UPSTREAM_REAL_IP_HEADER: "X-Forwarded-For",
    UPSTREAM_REAL_IP_RECURSIVE: "off",
    PROXY_READ_TIMEOUT: String(fd.spec.web.timeout),
    CLIENT_MAX_BODY_SIZE: "50m",
  };
  return Object.entries(env).map(([name, value]) => ({ name, value }));
}

export function buildNginx(fd: FrappeDeployment): KubeObject[] {
  return buildFrappeProcess(fd, {
    name: childNames(fd).nginx,
    component: "nginx",
    replicas: fd.spec.nginx.replicas,
    args: ["nginx-entrypoint.sh"],
    env: nginxEnv(fd),
    port: NGINX_PORT,
    resources: fd.spec.nginx.resources,
  });
}

export function buildSocketio(fd: FrappeDeployment): KubeObject[] {
  return buildFrappeProcess(fd, {
    name: childNames(fd).socketio,
    component: "socketio",
    replicas: fd.spec.socketio.replicas,
    args: ["node", `${BENCH_DIR}/apps/frappe/socketio.js`],
    port: SOCKETIO_PORT,
    resources: fd.spec.socketio.resources,
  });
}
