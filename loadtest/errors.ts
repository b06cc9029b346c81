/**
 * Failures `frappe-op loadtest` reports with their own exit code, so a script
 * (or CI) can tell a wrong password from an unreachable Redis without parsing
 * text. The table is documented in docs/loadtest.md.
 */

export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  expectationFailed: 3,
  redisUnreachable: 10,
  redisAuth: 11,
  redisTls: 12,
  redisWrongType: 13,
  targetNotFound: 14,
  kubeApi: 15,
  interrupted: 130,
} as const;

export type ExitKind = keyof typeof EXIT;

export class LoadtestError extends Error {
  override name = "LoadtestError";
  constructor(readonly kind: ExitKind, message: string, options?: ErrorOptions) {
    super(message, options);
  }
  get exitCode(): number {
    return EXIT[this.kind];
  }
}
