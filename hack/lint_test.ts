/**
 * `make lint` as tests, so CI fails on drift: the tree is formatted, lint
 * clean and type-checks (every module, bench/ and hack/ included).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

async function deno(...args: string[]): Promise<{ ok: boolean; out: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { ok: r.success, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

for (
  const [name, args] of [
    ["deno fmt --check", ["fmt", "--check"]],
    ["deno lint", ["lint"]],
    ["deno check .", ["check", "."]],
  ] as const
) {
  Deno.test(`lint: ${name} is clean`, async () => {
    const r = await deno(...args);
    assert.ok(r.ok, r.out.slice(-4000));
  });
}
