/**
 * `frappe-op version` and the stamp a build gives it: hack/build.sh (run by
 * `make build` and the Dockerfile) writes the version to cli/version.txt, hands
 * it to `deno compile --include` and removes it; cli/version.ts reads it from
 * beside itself. Compiling needs the `denort` runtime (a download), so the
 * build is run here with a stand-in `deno` that records what it was given, and
 * the reading side runs a copy of cli/version.ts next to a stamp.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main, readStamp, SOURCE_VERSION, VERSION, versionLine } from "./version.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const dec = new TextDecoder();

async function exec(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; out: string; err: string }> {
  const r = await new Deno.Command(cmd, {
    args,
    cwd: opts.cwd,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: Deno.env.get("HOME") ?? "/",
      ...opts.env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

Deno.test("version: prints frappe-op, the version and Deno's version", async () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    assert.equal(await main([]), 0);
  } finally {
    console.log = log;
  }
  assert.deepEqual(lines, [`frappe-op ${VERSION} (deno ${Deno.version.deno})`]);
  assert.equal(versionLine("v1.2.3"), `frappe-op v1.2.3 (deno ${Deno.version.deno})`);
  // A source checkout has no stamp (hack/build.sh removes it after compiling).
  assert.equal(VERSION, readStamp() ?? SOURCE_VERSION);
});

Deno.test("version: readStamp takes the first line, and nothing from an empty or absent file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "version.txt");
    await Deno.writeTextFile(file, "v1.4.0-3-gabc1234-dirty\n");
    assert.equal(readStamp(file), "v1.4.0-3-gabc1234-dirty");
    await Deno.writeTextFile(file, "  \n");
    assert.equal(readStamp(file), undefined);
    assert.equal(readStamp(join(dir, "absent.txt")), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A copy of cli/version.ts in a temporary cli/, run through a tiny entry point. */
async function runVersionCopy(stamp: string | undefined, permissions: string[]): Promise<string> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "cli"));
    await Deno.copyFile(join(ROOT, "cli", "version.ts"), join(dir, "cli", "version.ts"));
    if (stamp !== undefined) await Deno.writeTextFile(join(dir, "cli", "version.txt"), stamp);
    await Deno.writeTextFile(
      join(dir, "main.ts"),
      'import { main } from "./cli/version.ts";\nawait main([]);\n',
    );
    const r = await exec(Deno.execPath(), [
      "run",
      "--quiet",
      "--no-prompt",
      "--no-config",
      ...permissions,
      join(dir, "main.ts"),
    ]);
    assert.equal(r.code, 0, r.err);
    return r.out.trim();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("version: a stamp beside cli/version.ts is what it prints", async () => {
  const deno = Deno.version.deno;
  assert.equal(
    await runVersionCopy("v9.9.9-test\n", ["--allow-read"]),
    `frappe-op v9.9.9-test (deno ${deno})`,
  );
  assert.equal(
    await runVersionCopy(undefined, ["--allow-read"]),
    `frappe-op 0.1.0-dev (deno ${deno})`,
  );
  // Without read permission it neither prompts nor fails: the source version.
  assert.equal(await runVersionCopy("v9.9.9-test\n", []), `frappe-op 0.1.0-dev (deno ${deno})`);
});

Deno.test("version: bin/frappe-op version from source prints the same line", async () => {
  const r = await exec(join(ROOT, "bin", "frappe-op"), ["version"]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trim(), versionLine());
});

/**
 * A copy of what hack/build.sh needs (lib.sh, versions.env, bin/permissions)
 * in a temporary repository, with DENO a stand-in that records its arguments
 * and the stamp as it was while "compiling".
 */
async function buildWithStandIn(
  env: Record<string, string>,
  prepare: (dir: string) => Promise<void> = () => Promise.resolve(),
) {
  const dir = await Deno.makeTempDir();
  try {
    for (const sub of ["hack", "bin", "cli"]) await Deno.mkdir(join(dir, sub));
    for (const f of ["hack/build.sh", "hack/lib.sh", "hack/versions.env", "bin/permissions"]) {
      await Deno.copyFile(join(ROOT, f), join(dir, f));
    }
    const fake = join(dir, "fake-deno");
    await Deno.writeTextFile(
      fake,
      '#!/usr/bin/env bash\nprintf \'%s\\n\' "$@" >"$(dirname "$0")/args"\n' +
        'cat cli/version.txt >"$(dirname "$0")/stamp"\n',
    );
    await Deno.chmod(fake, 0o755);
    await prepare(dir);
    const r = await exec("bash", [join(dir, "hack", "build.sh")], {
      env: { DENO: fake, FRAPPE_OP_CACHE: join(dir, "cache"), ...env },
    });
    const read = (f: string) => Deno.readTextFile(join(dir, f)).catch(() => undefined);
    const args = (await read("args"))?.trimEnd().split("\n");
    const leftOver = await Deno.stat(join(dir, "cli", "version.txt")).then(() => true, () => false);
    return { ...r, args, stamp: await read("stamp"), leftOver };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("hack/build.sh: stamps FRAPPE_OP_VERSION, embeds it with --include and removes it", async () => {
  const b = await buildWithStandIn({ FRAPPE_OP_VERSION: "v1.2.3" });
  assert.equal(b.code, 0, b.err);
  assert.equal(b.stamp, "v1.2.3\n");
  assert.equal(b.leftOver, false, "cli/version.txt must not outlive the build");
  const perms = (await Deno.readTextFile(join(ROOT, "bin", "permissions")))
    .split("\n").filter((l) => l !== "" && !l.startsWith("#"));
  assert.deepEqual(b.args, [
    "compile",
    "--no-prompt",
    ...perms,
    "--include",
    "cli/version.txt",
    "--output",
    "dist/frappe-op",
    "mod.ts",
  ]);
  assert.match(b.err, /built dist\/frappe-op v1\.2\.3/);
});

Deno.test("hack/build.sh: git describe --tags --always --dirty, else dev", async () => {
  const git = (dir: string, ...args: string[]) =>
    exec("git", [
      "-C",
      dir,
      "-c",
      "user.name=t",
      "-c",
      "user.email=t@example.com",
      "-c",
      "commit.gpgsign=false",
      ...args,
    ]);
  const outside = await buildWithStandIn({});
  assert.equal(outside.code, 0, outside.err);
  assert.equal(outside.stamp, "dev\n");
  const tagged = await buildWithStandIn({}, async (dir) => {
    await Deno.writeTextFile(join(dir, ".gitignore"), "cli/version.txt\nargs\nstamp\ncache/\n");
    for (
      const args of [["init", "-q"], ["add", "-A"], ["commit", "-qm", "init"], ["tag", "v0.2.0"]]
    ) {
      const r = await git(dir, ...args);
      assert.equal(r.code, 0, r.err);
    }
    await Deno.writeTextFile(join(dir, "bin", "permissions"), "--allow-net\n"); // dirty
  });
  assert.equal(tagged.code, 0, tagged.err);
  assert.equal(tagged.stamp, "v0.2.0-dirty\n");
  assert.equal(tagged.leftOver, false);
});

Deno.test("hack/build.sh: refuses a version that is not one word, and leaves no stamp", async () => {
  const b = await buildWithStandIn({ FRAPPE_OP_VERSION: "1.0 beta" });
  assert.notEqual(b.code, 0);
  assert.match(b.err, /is not one word/);
  assert.equal(b.args, undefined);
  assert.equal(b.leftOver, false);
});

Deno.test("Dockerfile: compiles through hack/build.sh with the VERSION build arg", async () => {
  const dockerfile = await Deno.readTextFile(join(ROOT, "Dockerfile"));
  assert.match(dockerfile, /^ARG VERSION=dev$/m);
  assert.match(dockerfile, /^RUN DENO=deno FRAPPE_OP_VERSION="\$VERSION" bash hack\/build\.sh$/m);
  const makefile = await Deno.readTextFile(join(ROOT, "Makefile"));
  assert.match(makefile, /docker build --build-arg VERSION=\$\(VERSION\)/);
  assert.match(makefile, /FRAPPE_OP_VERSION=\$\(VERSION\) hack\/build\.sh/);
});

Deno.test(".dockerignore: the cluster's keys and data, node_modules, dist and .git stay out of the image", async () => {
  const ignored = (await Deno.readTextFile(join(ROOT, ".dockerignore")))
    .split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  for (const path of [".local", "node_modules", "dist", ".git", "cli/version.txt"]) {
    assert.ok(ignored.includes(path), `${path} missing from .dockerignore`);
  }
});
