/**
 * A failed reconcile step: its reason and message become the Degraded
 * condition (DESIGN rule 2), its cause is kept for the log.
 */
import { errorChain, KubeApiError } from "../kube/errors.ts";

export class StepError extends Error {
  override name = "StepError";
  constructor(
    readonly reason: string,
    message: string,
    options?: ErrorOptions & { retry?: boolean },
  ) {
    super(message, options);
    this.retry = options?.retry ?? true;
  }

  /** Whether requeueing with backoff may help (false for bad input). */
  readonly retry: boolean;

  /** Wraps any failure of `what`, keeping the server's message readable. */
  static from(reason: string, what: string, err: unknown): StepError {
    if (err instanceof StepError) return err;
    const detail = err instanceof KubeApiError
      ? `${err.reason}: ${err.serverMessage}`
      : errorChain(err);
    return new StepError(reason, `${what}: ${detail}`, { cause: err });
  }
}
