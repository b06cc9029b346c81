import assert from "node:assert";
import { HOSTS_MARK, HostsFile, serviceNames, withEntry, withoutEntries } from "./hosts.ts";
import { IpPool } from "./ip_pool.ts";

const BASE = "127.0.0.1\tlocalhost\n::1\tlocalhost\n";

Deno.test("hosts text: add, replace and remove marked lines only", () => {
  const names = serviceNames("fd-redis-queue", "ns");
  assert.deepStrictEqual(names, ["fd-redis-queue.ns.svc.cluster.local", "fd-redis-queue.ns.svc"]);
  const one = withEntry(BASE, "A", "ns/fd-redis-queue-0", "127.0.1.1", names);
  assert.ok(one.startsWith(BASE));
  assert.ok(one.endsWith(`127.0.1.1\t${names.join(" ")}\t${HOSTS_MARK} A ns/fd-redis-queue-0\n`));
  const moved = withEntry(one, "A", "ns/fd-redis-queue-0", "127.0.1.2", names);
  assert.strictEqual(moved.split("\n").filter((l) => l.includes(HOSTS_MARK)).length, 1);
  const two = withEntry(moved, "A", "other/r-0", "127.0.1.3", ["r.other.svc"]);
  assert.strictEqual(withoutEntries(two, "A", "other/r-0"), moved);
  assert.strictEqual(withoutEntries(two, "A"), BASE);
});

Deno.test("HostsFile edits a real file in place", async () => {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(path, BASE);
    const hosts = new HostsFile(path, "A");
    await Promise.all([
      hosts.set("a/x", "127.0.1.1", ["x.a.svc"]),
      hosts.set("b/y", "127.0.1.2", ["y.b.svc"]),
    ]);
    const text = await Deno.readTextFile(path);
    assert.ok(text.includes("x.a.svc") && text.includes("y.b.svc"));
    await hosts.remove("a/x");
    assert.ok(!(await Deno.readTextFile(path)).includes("x.a.svc"));
    await new HostsFile(path, "B").set("c/z", "127.0.9.9", ["z.c.svc"]);
    await hosts.remove();
    const left = await Deno.readTextFile(path);
    assert.ok(left.startsWith(BASE) && left.includes("z.c.svc") && !left.includes("y.b.svc"));
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("loopback pool: stable per key, reused after release", () => {
  const pool = new IpPool();
  assert.strictEqual(pool.allocate("a"), "127.0.100.1");
  assert.strictEqual(pool.allocate("b", (ip) => ip !== "127.0.100.2"), "127.0.100.3");
  assert.strictEqual(pool.allocate("a"), "127.0.100.1");
  pool.release("a");
  assert.strictEqual(pool.allocate("c"), "127.0.100.1");
});
