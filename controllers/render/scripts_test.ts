/**
 * The Job scripts run for real against a temporary bench directory: the
 * configure script with python3, the migrate script with bash and a stand-in
 * `bench` that records its calls.
 */
import assert from "node:assert/strict";
import { CONFIG_MOUNT, CONFIGURE_SCRIPT, MIGRATE_SCRIPT } from "./scripts.ts";
import { configSecret } from "./config.ts";
import { fromBase64 } from "./credentials.ts";
import { makeFd } from "./fixture.ts";
import type { FrappeDeployment } from "../../apis/frappedeployment.ts";

/** Runs the configure script in `bench` with `fd`'s config as the mounted Secret. */
async function configure(bench: string, fd: FrappeDeployment): Promise<Record<string, unknown>> {
  const mount = `${bench}/mount`;
  await Deno.mkdir(mount, { recursive: true });
  const secret = configSecret(fd, { queue: "q", cache: "c" });
  await Deno.writeTextFile(
    `${mount}/common_site_config.json`,
    fromBase64(secret.data["common_site_config.json"]),
  );
  const script = CONFIGURE_SCRIPT.replace(CONFIG_MOUNT, mount);
  const out = await new Deno.Command("python3", { args: ["-c", script], cwd: bench }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(await Deno.readTextFile(`${bench}/sites/common_site_config.json`));
}

Deno.test("configure: removing the last custom queue removes it from common_site_config", async () => {
  const bench = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${bench}/sites`);
    await Deno.mkdir(`${bench}/apps/frappe`, { recursive: true });
    await Deno.writeTextFile(
      `${bench}/sites/common_site_config.json`,
      JSON.stringify({ maintenance_mode: 0, workers: { stale: { timeout: 60 } } }),
    );
    const custom = makeFd({ workers: { custom: [{ name: "reports", timeout: 900 }] } });
    const first = await configure(bench, custom);
    assert.deepEqual(first.workers, { reports: { timeout: 900 } });
    assert.equal(first.maintenance_mode, 0, "keys the operator does not write are kept");
    const second = await configure(bench, makeFd());
    assert.deepEqual(second.workers, {});
    assert.equal(await Deno.readTextFile(`${bench}/sites/apps.txt`), "frappe\n");
  } finally {
    await Deno.remove(bench, { recursive: true });
  }
});

/** `unshare` can put the script in a PID namespace of its own (PID 1, as in a container). */
async function canUnshare(): Promise<boolean> {
  try {
    const probe = ["--pid", "--fork", "--map-root-user", "true"];
    return (await new Deno.Command("unshare", { args: probe, stderr: "null" }).output()).success;
  } catch {
    return false;
  }
}

/** The pid to signal: the script itself (under unshare, unshare's child; found by `ps`). */
async function scriptPid(outer: number, unshared: boolean): Promise<number> {
  if (!unshared) return outer;
  const ps = await new Deno.Command("ps", { args: ["-o", "pid=", "--ppid", String(outer)] })
    .output();
  const pid = Number(new TextDecoder().decode(ps.stdout).trim().split(/\s+/)[0]);
  if (!pid) throw new Error(`no child of unshare (pid ${outer})`);
  return pid;
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test("migrate: SIGTERM to the script as PID 1 stops migrate, then restores maintenance mode", async () => {
  const dir = await Deno.makeTempDir();
  const log = `${dir}/bench.log`;
  // A stand-in bench: records its arguments; `migrate` runs until it gets
  // SIGTERM, and records that it stopped.
  await Deno.mkdir(`${dir}/bin`);
  await Deno.writeTextFile(
    `${dir}/bin/bench`,
    [
      "#!/bin/bash",
      `echo "$*" >> "${log}"`,
      `[ "$3" = migrate ] || exit 0`,
      `trap 'echo "migrate stopped" >> "${log}"; exit 143' TERM`,
      "sleep 600 & wait",
    ].join("\n") + "\n",
  );
  await Deno.chmod(`${dir}/bin/bench`, 0o755);
  const unshared = await canUnshare();
  const argv = ["bash", "-c", MIGRATE_SCRIPT];
  const child = new Deno.Command(unshared ? "unshare" : argv[0], {
    args: unshared ? ["--pid", "--fork", "--map-root-user", ...argv] : argv.slice(1),
    env: { PATH: `${dir}/bin:${Deno.env.get("PATH")}` },
    stdout: "null",
    stderr: "null",
  }).spawn();
  const calls = () => Deno.readTextFile(log).catch(() => "");
  try {
    await waitFor("migrate started", async () => (await calls()).includes("--site all migrate"));
    Deno.kill(await scriptPid(child.pid, unshared), "SIGTERM");
    const status = await Promise.race([
      child.status,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 20_000)),
    ]);
    assert.ok(status, "the script exits on SIGTERM (PID 1 ignores a signal it has no trap for)");
    assert.equal(status.code, 143);
    assert.deepEqual((await calls()).trim().split("\n"), [
      "--site all set-config -p maintenance_mode 1",
      "--site all set-config -p pause_scheduler 1",
      "--site all migrate",
      "migrate stopped",
      "--site all set-config -p maintenance_mode 0",
      "--site all set-config -p pause_scheduler 0",
    ]);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});
