/** Network helpers shared by the tests and the benchmarks. */

/** A free TCP port on loopback (closed again before the caller binds it). */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}
