/**
 * `frappe-op manifests`: prints what installs the operator (Namespace, CRD,
 * RBAC, operator Deployment) as multi-document YAML, from the same functions
 * (apis/manifests.ts) that generate the checked-in manifests/:
 *
 *     frappe-op manifests | kubectl apply --server-side -f -
 *
 * Exit codes: 0 printed, 2 bad flags. Permissions: none.
 */
import { installObjects, OPERATOR_IMAGE, toYaml } from "../apis/manifests.ts";
import { FlagError, flagsOrReport, parseFlags } from "./flags.ts";
import { type CliIo, denoIo } from "./io.ts";
import { VERSION } from "./version.ts";

export const MANIFESTS_USAGE = `frappe-op manifests [--image IMAGE]: print the operator's install
manifests (Namespace, CRD, RBAC, Deployment) as multi-document YAML

  --image IMAGE    operator image (default ${OPERATOR_IMAGE})

Install:  frappe-op manifests | kubectl apply --server-side -f -
`;

/** Kubernetes' rule for an image reference, loosely: no spaces, not empty. */
const IMAGE_PATTERN = /^[^\s]+$/;

function parseImage(args: string[]): string {
  const f = parseFlags(args, { string: ["image"] });
  if (f.positional.length > 0) throw new FlagError(`unexpected argument "${f.positional[0]}"`);
  const image = f.values.get("image") ?? OPERATOR_IMAGE;
  if (!IMAGE_PATTERN.test(image)) throw new FlagError(`--image "${image}" is not an image`);
  return image;
}

export function manifests(args: string[], io: CliIo): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    io.out(MANIFESTS_USAGE);
    return Promise.resolve(0);
  }
  const image = flagsOrReport("manifests", io, () => parseImage(args));
  if (image === undefined) return Promise.resolve(2);
  const header = `# frappe-op ${VERSION} install manifests (generated from apis/; ` +
    `same objects as manifests/).\n`;
  io.out(header + toYaml(installObjects(image)));
  return Promise.resolve(0);
}

export function main(args: string[]): Promise<number> {
  return manifests(args, denoIo());
}
