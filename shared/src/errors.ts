/**
 * Typed errors. Transport layers map `status` to an HTTP status in one place and send
 * `{ error: code, message }`; nothing parses message text to decide what happened.
 */
export class AppError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, details?: unknown) { super(message, 'bad_request', 400, details); }
}
export class UnauthorizedError extends AppError {
  constructor(message = 'authentication required') { super(message, 'unauthorized', 401); }
}
export class ForbiddenError extends AppError {
  constructor(message = 'not allowed for this role') { super(message, 'forbidden', 403); }
}
/** Biometric processing without a recorded, unwithdrawn consent is refused on every path. */
export class ConsentRequiredError extends AppError {
  constructor(studentId?: number) {
    super(studentId ? `student ${studentId} has no recorded biometric consent` : 'a new student needs a recorded biometric consent', 'consent_required', 403, { studentId });
  }
}
export class NotFoundError extends AppError {
  constructor(message: string) { super(message, 'not_found', 404); }
}
export class ConflictError extends AppError {
  constructor(message: string, details?: unknown) { super(message, 'conflict', 409, details); }
}
export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) { super(`body larger than ${limitBytes} bytes`, 'payload_too_large', 413, { limitBytes }); }
}
/** The input parsed but cannot be used: not an image, no face, too blurred. */
export class UnprocessableError extends AppError {
  constructor(message: string, details?: unknown) { super(message, 'unprocessable', 422, details); }
}
export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(`too many attempts; retry in ${retryAfterSeconds} s`, 'rate_limited', 429, { retryAfterSeconds });
  }
}
export class ConfigError extends AppError {
  constructor(message: string, readonly problems: string[]) { super(message, 'config', 500, problems); }
}

/** The `{status, body}` an error becomes on the wire; unknown errors hide their text. */
export function toErrorResponse(err: unknown): { status: number; body: { error: string; message: string; details?: unknown } } {
  if (err instanceof AppError && !(err instanceof ConfigError)) {
    return { status: err.status, body: { error: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } };
  }
  return { status: 500, body: { error: 'internal', message: 'internal error' } };
}
