/**
 * The redis-server argv for a redis pod: the pod's own options (`$(VAR)`
 * already expanded) minus what only makes sense inside a container network
 * namespace, plus the pod's loopback address, its port and a data directory
 * on this machine. A leading config-file path is dropped.
 */

/** Options the agent decides itself. */
const OWNED = new Set(["bind", "port", "dir", "daemonize", "protected-mode", "logfile", "pidfile"]);

/** Splits `--name v1 v2 --other` into [name, values] groups (redis-server's own syntax). */
export function optionGroups(args: string[]): [string, string[]][] {
  const groups: [string, string[]][] = [];
  for (const a of args) {
    if (a.startsWith("--")) groups.push([a.slice(2), []]);
    else if (groups.length > 0) groups[groups.length - 1][1].push(a);
  }
  return groups;
}

export interface RedisPlacement {
  bind: string;
  port: number;
  dataDir: string;
}

export function redisServerArgs(argv: string[], where: RedisPlacement): string[] {
  const rest = argv.length > 0 && /(^|\/)redis-server$/.test(argv[0]) ? argv.slice(1) : argv;
  const kept = optionGroups(rest).filter(([name]) => !OWNED.has(name));
  return [
    ...kept.flatMap(([name, values]) => [`--${name}`, ...values]),
    "--bind",
    where.bind,
    "--port",
    String(where.port),
    "--dir",
    where.dataDir,
    "--daemonize",
    "no",
    "--protected-mode",
    "no",
  ];
}

/** The container port the pod declares for redis, else 6379. */
// deno-lint-ignore no-explicit-any
export function redisPort(container: any): number {
  const ports: { containerPort?: number }[] = container?.ports ?? [];
  return ports.find((p) => typeof p.containerPort === "number")?.containerPort ?? 6379;
}
