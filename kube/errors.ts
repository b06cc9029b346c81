/**
 * Errors of the Kubernetes client layer. An API answer that is not 2xx becomes
 * a `KubeApiError` carrying the Status body's reason and message; a failure to
 * talk to the server at all becomes a `KubeTransportError` wrapping the cause.
 */

/** The `Status` object the API server sends with failures. */
export interface KubeStatus {
  kind?: "Status";
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    kind?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
  };
}

export class KubeApiError extends Error {
  override name = "KubeApiError";
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly method: string,
    readonly path: string,
    readonly details?: KubeStatus["details"],
  ) {
    super(`${method} ${path}: ${status} ${reason}: ${message}`);
  }

  /** The server's own message, without the request line. */
  get serverMessage(): string {
    return this.message.replace(/^[^:]*: \d+ [^:]*: /, "");
  }
}

export class KubeTransportError extends Error {
  override name = "KubeTransportError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

export class KubeConfigError extends Error {
  override name = "KubeConfigError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** Builds the error for a non-2xx answer from its body (JSON Status or text). */
export function apiErrorFrom(
  status: number,
  bodyText: string,
  method: string,
  path: string,
): KubeApiError {
  let parsed: KubeStatus | undefined;
  try {
    parsed = JSON.parse(bodyText) as KubeStatus;
  } catch {
    parsed = undefined;
  }
  const reason = parsed?.reason || statusReason(status);
  const message = parsed?.message || bodyText.trim() || `HTTP ${status}`;
  return new KubeApiError(status, reason, message, method, path, parsed?.details);
}

function statusReason(status: number): string {
  const reasons: Record<number, string> = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    410: "Expired",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
  };
  return reasons[status] ?? "Unknown";
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 404;
}

export function isConflict(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409;
}

export function isAlreadyExists(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 409 && err.reason === "AlreadyExists";
}

/** 410 Gone: the resourceVersion we watch from is too old; relist. */
export function isGone(err: unknown): boolean {
  return err instanceof KubeApiError && (err.status === 410 || err.reason === "Expired");
}

/** The message of an error and its causes, one line, for logs and conditions. */
export function errorChain(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && depth < 5; depth++) {
    parts.push(cur instanceof Error ? cur.message : String(cur));
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return parts.join(": caused by: ");
}
