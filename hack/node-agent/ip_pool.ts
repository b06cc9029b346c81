/** Loopback addresses 127.0.<x>.<y> handed out per pod (127.0.0.0/8 all reaches lo on Linux). */
export class IpPool {
  readonly #byKey = new Map<string, string>();
  readonly #used = new Set<string>();

  /** From 127.0.100.1: Debian maps the hostname to 127.0.1.1. */
  constructor(readonly firstOctet = 100, readonly lastOctet = 254) {}

  /**
   * The address of `key`, allocating the lowest free one on first use;
   * `usable` can veto an address (one another agent's process already holds).
   */
  allocate(key: string, usable: (ip: string) => boolean = () => true): string {
    const have = this.#byKey.get(key);
    if (have) return have;
    for (let x = this.firstOctet; x <= this.lastOctet; x++) {
      for (let y = 1; y <= 254; y++) {
        const ip = `127.0.${x}.${y}`;
        if (this.#used.has(ip) || !usable(ip)) continue;
        this.#used.add(ip);
        this.#byKey.set(key, ip);
        return ip;
      }
    }
    throw new Error("loopback address pool exhausted");
  }

  release(key: string): void {
    const ip = this.#byKey.get(key);
    if (!ip) return;
    this.#byKey.delete(key);
    this.#used.delete(ip);
  }
}
