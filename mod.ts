/**
 * frappe-op: the command line.
 *
 * CONVENTION: every command is a module `cli/<command>.ts` exporting
 *
 *     export function main(args: string[]): Promise<number>   // exit code
 *
 * that parses its own flags (cli/flags.ts), prints its own usage on --help,
 * and writes to the console only through the CLI (modules below cli/ take a
 * Logger). To add a command, add ONE line to COMMANDS below. Imports are
 * dynamic with literal paths, so `deno compile` bundles every command while
 * `run` does not load, say, the load test.
 *
 * Owners: run, version (runtime); render, manifests, status (API); loadtest
 * (load test).
 *
 * Permissions: see bin/permissions (the one list bin/frappe-op and
 * `deno compile` both use).
 */

interface Command {
  summary: string;
  load: () => Promise<{ main: (args: string[]) => Promise<number> }>;
}

const COMMANDS: Record<string, Command> = {
  run: { summary: "run the operator", load: () => import("./cli/run.ts") },
  version: { summary: "print the version", load: () => import("./cli/version.ts") },
  loadtest: {
    summary: "enqueue Frappe jobs and measure how the workers scale",
    load: () => import("./cli/loadtest.ts"),
  },
  render: {
    summary: "print the objects a FrappeDeployment becomes (offline, like helm template)",
    load: () => import("./cli/render.ts"),
  },
  manifests: {
    summary: "print the install manifests (CRD, RBAC, operator Deployment)",
    load: () => import("./cli/manifests.ts"),
  },
  status: {
    summary: "show FrappeDeployments: phase, workers, replicas, queue depth",
    load: () => import("./cli/status.ts"),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) =>
    `  ${name.padEnd(width)}  ${c.summary}`
  );
  return `usage: frappe-op <command> [flags]\n\ncommands:\n${lines.join("\n")}\n\n` +
    "`frappe-op <command> --help` describes a command's flags.";
}

export async function dispatch(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`frappe-op: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const module = await command.load();
  return await module.main(rest);
}

if (import.meta.main) {
  Deno.exit(await dispatch(Deno.args));
}
