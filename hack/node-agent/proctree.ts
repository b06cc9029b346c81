/**
 * A container's processes, as a cgroup would hold them: the main process and
 * every descendant, found through the parent pids. RQ runs each job in a
 * forked work horse that leaves the worker's process group (rq 1.15.1
 * `os.setsid()`, rq 2.6.1 `os.setpgrp()` in `fork_work_horse`), so a signal to
 * the main pid or its group never reaches the job; a kubelet's kill ends the
 * whole container, so the agent kills the whole tree.
 */

/** pid -> parent pid, from `ps -e -o pid=,ppid=` output. */
export function parsePsTable(out: string): Map<number, number> {
  const table = new Map<number, number>();
  for (const line of out.split("\n")) {
    const m = line.trim().match(/^(\d+)\s+(\d+)$/);
    if (m) table.set(Number(m[1]), Number(m[2]));
  }
  return table;
}

/** Every descendant of `root` (children, their children, ...), not `root` itself. */
export function descendants(table: Map<number, number>, root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of table) {
    if (pid !== ppid) children.set(ppid, [...children.get(ppid) ?? [], pid]);
  }
  const found = new Set<number>();
  const todo = [root];
  while (todo.length > 0) {
    for (const child of children.get(todo.pop()!) ?? []) {
      if (found.has(child) || child === root) continue;
      found.add(child);
      todo.push(child);
    }
  }
  return [...found];
}

/**
 * The process table. `ps` (procps) reads /proc for us: Deno lets a program
 * read /proc only with --allow-all, and the agent runs with narrower flags.
 */
export async function processTable(): Promise<Map<number, number>> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("ps", { args: ["-e", "-o", "pid=,ppid="], stderr: "piped" })
      .output();
  } catch (err) {
    throw new Error("cannot list processes: `ps` (procps) missing?", { cause: err });
  }
  if (!out.success) {
    throw new Error(`ps failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return parsePsTable(new TextDecoder().decode(out.stdout));
}

function signal(pid: number, sig: Deno.Signal): void {
  try {
    Deno.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * SIGKILLs `root` and all its descendants. Each process found is first
 * stopped (SIGSTOP) and the table re-read until no new descendant appears, so
 * nothing can fork or reparent away between listing and killing (a stopped
 * parent cannot die and hand its children to init). Returns the descendants.
 */
export async function killTree(root: number): Promise<number[]> {
  const stopped = new Set<number>();
  signal(root, "SIGSTOP");
  for (;;) {
    const fresh = descendants(await processTable(), root).filter((p) => !stopped.has(p));
    if (fresh.length === 0) break;
    for (const pid of fresh) {
      signal(pid, "SIGSTOP");
      stopped.add(pid);
    }
  }
  for (const pid of [root, ...stopped]) signal(pid, "SIGKILL");
  return [...stopped];
}
