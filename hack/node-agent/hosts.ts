/**
 * /etc/hosts lines that make a tenant's Service name resolve to the loopback
 * address its redis-server listens on. Every line the agent writes ends with
 * a marker naming the pod, so it can remove exactly its own lines. The text
 * functions are pure; `HostsFile` serialises the writes and edits in place
 * (the file may be a bind mount that a rename would break).
 */

export const HOSTS_MARK = "# frappe-op-node-agent";

/** The names a Service is reached by from other namespaces and with the cluster domain. */
export function serviceNames(
  service: string,
  namespace: string,
  domain = "cluster.local",
): string[] {
  return [`${service}.${namespace}.svc.${domain}`, `${service}.${namespace}.svc`];
}

/** Whether a line was written by agent `agent` (for `owner`, or for any owner when undefined). */
function ownedBy(line: string, agent: string, owner?: string): boolean {
  const i = line.indexOf(HOSTS_MARK);
  if (i < 0) return false;
  const [a, o] = line.slice(i + HOSTS_MARK.length).trim().split(/\s+/);
  return a === agent && (owner === undefined || o === owner);
}

/** The text without agent `agent`'s line for `owner` (all its lines when owner is undefined). */
export function withoutEntries(text: string, agent: string, owner?: string): string {
  return text.split("\n").filter((l) => !ownedBy(l, agent, owner)).join("\n");
}

/** The text with agent `agent`'s line for `owner` replaced by `ip names...`. */
export function withEntry(
  text: string,
  agent: string,
  owner: string,
  ip: string,
  names: string[],
): string {
  let base = withoutEntries(text, agent, owner);
  if (base.length > 0 && !base.endsWith("\n")) base += "\n";
  return `${base}${ip}\t${names.join(" ")}\t${HOSTS_MARK} ${agent} ${owner}\n`;
}

/** The hosts file as one agent edits it: `agent` keeps two agents (two clusters) apart. */
export class HostsFile {
  #chain: Promise<void> = Promise.resolve();
  constructor(readonly path: string, readonly agent: string) {}

  set(owner: string, ip: string, names: string[]): Promise<void> {
    return this.#edit((t) => withEntry(t, this.agent, owner, ip, names));
  }

  remove(owner?: string): Promise<void> {
    return this.#edit((t) => withoutEntries(t, this.agent, owner));
  }

  /**
   * Read-modify-write under an exclusive lock on the file (two agents, for two
   * clusters, may share it), writing over the old bytes before truncating:
   * a resolver reading meanwhile never sees an empty file.
   */
  #edit(change: (text: string) => string): Promise<void> {
    const next = this.#chain.then(async () => {
      using file = await Deno.open(this.path, { read: true, write: true, create: true });
      await file.lock(true);
      try {
        const text = new TextDecoder().decode(await readAll(file));
        const updated = change(text);
        if (updated === text) return;
        const bytes = new TextEncoder().encode(updated);
        await file.seek(0, Deno.SeekMode.Start);
        for (let off = 0; off < bytes.length;) off += await file.write(bytes.subarray(off));
        await file.truncate(bytes.length);
      } finally {
        await file.unlock();
      }
    });
    this.#chain = next.catch(() => undefined);
    return next;
  }
}

async function readAll(file: Deno.FsFile): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(64 * 1024);
  for (let n = await file.read(buf); n !== null; n = await file.read(buf)) {
    chunks.push(buf.slice(0, n));
  }
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
