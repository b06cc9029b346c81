/**
 * The Job scripts run for real against a temporary bench directory: the
 * configure script with python3, the migrate script with bash and a stand-in
 * `bench` that records its calls.
 */
import assert from "node:assert/strict";
import { CONFIG_MOUNT, CONFIGURE_SCRIPT } from "./scripts.ts";
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
