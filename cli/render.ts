/**
 * `frappe-op render -f FILE`: prints every child object of the
 * FrappeDeployment(s) in FILE as multi-document YAML, phase by phase in
 * rollout order, without a cluster (like `helm template`).
 *
 * Exit codes: 0 rendered; 1 the input is unreadable or invalid (nothing is
 * printed on stdout, every problem on stderr); 2 bad flags.
 *
 * Permissions: --allow-read (FILE; none for `-f -`, stdin).
 */
import { OPERATOR_NAMESPACE } from "../apis/rbac.ts";
import { errorChain } from "../kube/errors.ts";
import { FlagError, flagsOrReport, parseFlags } from "./flags.ts";
import { type CliIo, denoIo, expandShortFlags } from "./io.ts";
import { parseRenderInput } from "./render_input.ts";
import {
  formatRendered,
  type OfflineOptions,
  type Rendered,
  renderOffline,
} from "./render_output.ts";
import { VERSION } from "./version.ts";

export const RENDER_USAGE = `frappe-op render -f FILE [flags]: print the objects a FrappeDeployment
becomes, as multi-document YAML, without a cluster

  -f, --file FILE           YAML or JSON: one FrappeDeployment, several documents or a List;
                            - reads stdin. Documents of other kinds are skipped.
  -n, --namespace NS        namespace of FrappeDeployments that name none (default: default)
  --keda=true|false         render as if KEDA is installed (default true)
  --autoscaling-default     as the operator flag: unset autoscaling.enabled means true
                            on short, long and custom workers (default false)
  --operator-namespace NS   namespace of the operator, let through the NetworkPolicies
                            (default ${OPERATOR_NAMESPACE})
  --keda-namespace NS       namespace of KEDA's operator (default keda)

Exit codes: 0 rendered, 1 invalid or unreadable input, 2 bad flags.
`;

interface RenderArgs {
  file: string;
  namespace: string;
  options: OfflineOptions;
}

function parseArgs(args: string[]): RenderArgs {
  const f = parseFlags(expandShortFlags(args, { f: "file", n: "namespace" }), {
    string: ["file", "namespace", "operator-namespace", "keda-namespace"],
    boolean: ["keda", "autoscaling-default"],
  });
  if (f.positional.length > 0) {
    throw new FlagError(`unexpected argument "${f.positional[0]}" (the file goes after -f)`);
  }
  const file = f.values.get("file");
  if (file === undefined || file === "") throw new FlagError("-f FILE is required (- for stdin)");
  return {
    file,
    namespace: f.values.get("namespace") ?? "default",
    options: {
      kedaAvailable: f.booleans.get("keda") ?? true,
      autoscalingDefault: f.booleans.get("autoscaling-default") ?? false,
      operatorNamespace: f.values.get("operator-namespace") ?? OPERATOR_NAMESPACE,
      kedaNamespace: f.values.get("keda-namespace") ?? "keda",
    },
  };
}

async function readInput(file: string, io: CliIo): Promise<string> {
  try {
    return file === "-" ? await io.readStdin() : await io.readFile(file);
  } catch (err) {
    const what = file === "-" ? "stdin" : file;
    const detail = err instanceof Deno.errors.NotFound ? "no such file" : errorChain(err);
    throw new InputError([`cannot read ${what}: ${detail}`]);
  }
}

class InputError extends Error {
  constructor(readonly messages: string[]) {
    super(messages.join("\n"));
  }
}

/** The command with its I/O passed in (tests); `main` uses the process's. */
export async function render(args: string[], io: CliIo): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    io.out(RENDER_USAGE);
    return 0;
  }
  const parsed = flagsOrReport("render", io, () => parseArgs(args));
  if (parsed === undefined) return 2;
  try {
    const source = parsed.file === "-" ? "<stdin>" : parsed.file;
    const input = parseRenderInput(await readInput(parsed.file, io), source, parsed.namespace);
    for (const note of input.notes) io.err(`frappe-op render: ${note}`);
    if (input.errors.length > 0) throw new InputError(input.errors);
    const rendered: Rendered[] = [];
    for (const fd of input.deployments) {
      try {
        rendered.push(renderOffline(fd, parsed.options));
      } catch (err) {
        const id = `${fd.metadata.namespace}/${fd.metadata.name}`;
        throw new InputError([`${source}: rendering ${id} failed: ${errorChain(err)}`]);
      }
    }
    io.out(formatRendered(rendered, parsed.options, VERSION));
    return 0;
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    for (const m of err.messages) io.err(`frappe-op render: ${m}`);
    return 1;
  }
}

export function main(args: string[]): Promise<number> {
  return render(args, denoIo());
}
