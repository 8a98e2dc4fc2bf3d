/**
 * Typed errors thrown by core. Core knows nothing of HTTP: the functions package
 * maps each `code` to a status in its one `onError`.
 */
export type ErrorCode =
  | "invalid_input"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "reply_in_progress"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "unavailable";

/** Base class: `code` says what kind of failure, `message` says what is wrong in words a caller can act on. */
export class MurmurError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Input failed validation; `issues` names each field and what is wrong with it. */
export class ValidationError extends MurmurError {
  readonly issues: readonly string[];
  constructor(message: string, issues: readonly string[] = [], options?: { cause?: unknown }) {
    super("invalid_input", issues.length ? `${message}: ${issues.join("; ")}` : message, options);
    this.issues = issues;
  }
}

export class UnauthorizedError extends MurmurError {
  constructor(message = "a valid session is required", options?: { cause?: unknown }) {
    super("unauthorized", message, options);
  }
}

export class ForbiddenError extends MurmurError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("forbidden", message, options);
  }
}

export class NotFoundError extends MurmurError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("not_found", message, options);
  }
}

/** The request does not fit the resource's current state (e.g. regenerating a reply that is not the last). */
export class ConflictError extends MurmurError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("conflict", message, options);
  }
}

/**
 * A new run cannot start while the thread's replies in flight are at their limit (one by
 * default): wait for the reply to end (its `message.completed` or `message.failed`), or
 * stop it, then send again.
 */
export class ReplyInProgressError extends MurmurError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("reply_in_progress", message, options);
  }
}

export class PayloadTooLargeError extends MurmurError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("payload_too_large", message, options);
  }
}

/** The body is not of the type the route reads (every JSON route takes `application/json`). */
export class UnsupportedMediaTypeError extends MurmurError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("unsupported_media_type", message, options);
  }
}

/**
 * A dependency (the event log's store) cannot be reached. Retrying later can succeed;
 * `retryAfterSeconds` is a hint for `Retry-After`.
 */
export class UnavailableError extends MurmurError {
  readonly retryAfterSeconds: number;
  constructor(message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super("unavailable", message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds ?? 2;
  }
}

/**
 * A limit of the caller's was reached (see core's limits/): `limit` names it as data,
 * `message` in words with its setting, `retryAfterSeconds` says when asking again can
 * succeed (for `Retry-After`).
 */
export class RateLimitedError extends MurmurError {
  readonly limit: string;
  readonly retryAfterSeconds: number;
  constructor(message: string, options: { limit: string; retryAfterSeconds: number; cause?: unknown }) {
    super("rate_limited", message, options);
    this.limit = options.limit;
    this.retryAfterSeconds = Math.max(1, Math.ceil(options.retryAfterSeconds));
  }
}
