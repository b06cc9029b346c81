/** `frappe-op version`: prints the version. */

/** Replaced at build time by hack/build.sh when it stamps a release. */
export const VERSION = "0.1.0-dev";

export function main(_args: string[]): Promise<number> {
  console.log(`frappe-op ${VERSION} (deno ${Deno.version.deno})`);
  return Promise.resolve(0);
}
