/**
 * Kubeconfig parsing: the current (or a named) context's cluster and user,
 * resolved into a `ConnectionConfig`. File reads are passed in so the parser
 * is testable and the permission it needs (--allow-read of the kubeconfig
 * and the files it names) stays with the caller.
 */
import { parse as parseYaml } from "yaml";
import { KubeConfigError } from "./errors.ts";
import type { ConnectionConfig } from "./http_transport.ts";

export type ReadTextFile = (path: string) => Promise<string>;

export interface ResolvedConfig {
  connection: ConnectionConfig;
  /** The context's namespace, if it names one. */
  namespace?: string;
  /** Where the config came from, for logs. */
  source: string;
}

interface Named<T> {
  name: string;
  [key: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

// deno-lint-ignore no-explicit-any
type Fields = Record<string, any>;

export interface KubeconfigOptions {
  /** Path of the kubeconfig file: relative paths inside it are resolved from its directory. */
  path: string;
  /** Context to use instead of current-context. */
  context?: string;
  readTextFile: ReadTextFile;
}

/** Reads and resolves a kubeconfig file. */
export async function loadKubeconfig(opts: KubeconfigOptions): Promise<ResolvedConfig> {
  let text: string;
  try {
    text = await opts.readTextFile(opts.path);
  } catch (err) {
    throw new KubeConfigError(`reading kubeconfig ${opts.path} failed`, { cause: err });
  }
  return await resolveKubeconfig(text, { ...opts, baseDir: dirname(opts.path) });
}

/** Resolves kubeconfig text; `baseDir` anchors relative file paths. */
export async function resolveKubeconfig(
  text: string,
  opts: { baseDir: string; context?: string; path?: string; readTextFile: ReadTextFile },
): Promise<ResolvedConfig> {
  const doc = parseDoc(text);
  const contextName = opts.context ?? doc["current-context"];
  if (!contextName) throw new KubeConfigError("kubeconfig has no current-context");
  const context = pick(doc.contexts, contextName, "context", "context");
  const cluster = pick(doc.clusters, context.cluster, "cluster", "cluster");
  const user = context.user ? pick(doc.users, context.user, "user", "user") : {};
  const read = (p: string) => opts.readTextFile(resolvePath(opts.baseDir, p));
  const connection: ConnectionConfig = {
    server: requireServer(cluster),
    caCerts: await caOf(cluster, read),
    clientCert: await clientCertOf(user, read),
    token: await tokenOf(user, read),
  };
  return { connection, namespace: context.namespace, source: opts.path ?? "kubeconfig" };
}

function parseDoc(text: string): Fields {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new KubeConfigError("kubeconfig is not valid YAML", { cause: err });
  }
  if (typeof doc !== "object" || doc === null) throw new KubeConfigError("kubeconfig is empty");
  return doc as Fields;
}

function pick(list: unknown, name: string | undefined, what: string, field: string): Fields {
  if (!name) throw new KubeConfigError(`kubeconfig: the context names no ${what}`);
  const found = (Array.isArray(list) ? list as Named<Fields>[] : []).find((e) => e.name === name);
  const value = found?.[field];
  if (!value || typeof value !== "object") {
    throw new KubeConfigError(`kubeconfig: ${what} "${name}" not found`);
  }
  return value as Fields;
}

function requireServer(cluster: Fields): string {
  const server = cluster.server;
  if (typeof server !== "string" || !server) throw new KubeConfigError("kubeconfig: no server");
  if (cluster["insecure-skip-tls-verify"] === true) {
    throw new KubeConfigError(
      "kubeconfig: insecure-skip-tls-verify is not supported; give certificate-authority",
    );
  }
  return server;
}

type Read = (path: string) => Promise<string>;

/** Reads `<field>-data` (base64) or `<field>` (a file path). */
async function material(obj: Fields, field: string, read: Read): Promise<string | undefined> {
  const data = obj[`${field}-data`];
  if (typeof data === "string" && data) return decodeBase64(data, field);
  const file = obj[field];
  if (typeof file !== "string" || !file) return undefined;
  try {
    return await read(file);
  } catch (err) {
    throw new KubeConfigError(`kubeconfig: reading ${field} ${file} failed`, { cause: err });
  }
}

async function caOf(cluster: Fields, read: Read): Promise<string[] | undefined> {
  const ca = await material(cluster, "certificate-authority", read);
  return ca ? [ca] : undefined;
}

async function clientCertOf(user: Fields, read: Read) {
  if (user.exec || user["auth-provider"]) {
    throw new KubeConfigError("kubeconfig: exec and auth-provider users are not supported");
  }
  const cert = await material(user, "client-certificate", read);
  const key = await material(user, "client-key", read);
  if (!cert && !key) return undefined;
  if (!cert || !key) throw new KubeConfigError("kubeconfig: client certificate without key");
  return { cert, key };
}

async function tokenOf(user: Fields, read: Read) {
  if (typeof user.token === "string" && user.token) {
    const token = user.token;
    return () => Promise.resolve(token);
  }
  const file = user.tokenFile;
  if (typeof file !== "string" || !file) return undefined;
  await read(file).catch((err) => {
    throw new KubeConfigError(`kubeconfig: reading tokenFile ${file} failed`, { cause: err });
  });
  return async () => (await read(file)).trim();
}

function decodeBase64(data: string, field: string): string {
  try {
    const bin = atob(data.replace(/\s+/g, ""));
    return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch (err) {
    throw new KubeConfigError(`kubeconfig: ${field}-data is not base64`, { cause: err });
  }
}

export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  if (i < 0) return ".";
  return i === 0 ? "/" : path.slice(0, i);
}

export function resolvePath(baseDir: string, path: string): string {
  return path.startsWith("/") ? path : `${baseDir.replace(/\/+$/, "")}/${path}`;
}
