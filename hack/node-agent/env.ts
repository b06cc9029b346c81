/**
 * Container environment as the kubelet builds it: plain values, secretKeyRef
 * and configMapKeyRef (looked up through `lookup`), and `$(VAR)` expansion in
 * values, commands and args (`$$(VAR)` stays literal).
 */
import type { EnvVar } from "./classify.ts";

export type RefLookup = (
  kind: "Secret" | "ConfigMap",
  name: string,
  key: string,
) => Promise<string | undefined>;

/** Expands `$(NAME)` from env; unknown names and `$$(NAME)` stay as written (the latter unescaped). */
export function expandVars(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name?: string) => {
    if (match === "$$") return "$";
    return name !== undefined && name in env ? env[name] : match;
  });
}

/** Resolves the env list in order (later values may refer to earlier ones). */
export async function resolveEnv(
  vars: EnvVar[] | undefined,
  lookup: RefLookup,
): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const v of vars ?? []) {
    if (v.value !== undefined) {
      env[v.name] = expandVars(v.value, env);
      continue;
    }
    const s = v.valueFrom?.secretKeyRef;
    const c = v.valueFrom?.configMapKeyRef;
    const ref = s
      ? { kind: "Secret" as const, ...s }
      : c
      ? { kind: "ConfigMap" as const, ...c }
      : undefined;
    if (!ref) continue;
    const value = await lookup(ref.kind, ref.name, ref.key);
    if (value === undefined) {
      if (ref.optional) continue;
      throw new Error(`env ${v.name}: ${ref.kind} ${ref.name} has no key ${ref.key}`);
    }
    env[v.name] = value;
  }
  return env;
}
