/**
 * `frappe-op version`: prints the version.
 *
 * A source checkout is `0.1.0-dev`. A build stamps the commit: hack/build.sh
 * (`make build`, and the Dockerfile through it) writes `git describe --tags
 * --always --dirty` (or "dev") to cli/version.txt, embeds it with
 * `deno compile --include cli/version.txt` and removes it afterwards (it is
 * gitignored too), so only the compiled binary has it. It is read beside this
 * module, where `deno compile` keeps included files. This module imports
 * nothing, so cli/version_test.ts can run a copy of it next to a stamp.
 */

/** What a source checkout (no stamp) reports. */
export const SOURCE_VERSION = "0.1.0-dev";

/** The stamp hack/build.sh embeds in the compiled binary. */
export const STAMP_FILE: URL = new URL("./version.txt", import.meta.url);

/**
 * The stamp's first line, or undefined when it is absent, empty or unreadable.
 * Without read permission it is not read (querySync never prompts).
 */
export function readStamp(file: URL | string = STAMP_FILE): string | undefined {
  try {
    if (Deno.permissions.querySync({ name: "read", path: file }).state !== "granted") {
      return undefined;
    }
    const line = Deno.readTextFileSync(file).split("\n")[0].trim();
    return line === "" ? undefined : line;
  } catch {
    return undefined;
  }
}

/** The version this program reports (printed by `version`, in `render` and `manifests` headers). */
export const VERSION: string = readStamp() ?? SOURCE_VERSION;

export function versionLine(version: string = VERSION): string {
  return `frappe-op ${version} (deno ${Deno.version.deno})`;
}

export function main(_args: string[]): Promise<number> {
  console.log(versionLine());
  return Promise.resolve(0);
}
