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
/** The database could not take the write in time (SQLite locked by another process): retry later. */
export class DatabaseBusyError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) { super(message, 'database_busy', 503, undefined, options); }
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

/** Which database constraint a failed write broke, from either driver; null when it was no constraint. */
export type ConstraintKind = 'unique' | 'foreign_key' | 'not_null' | 'check';

const PG_CONSTRAINTS: Record<string, ConstraintKind> = { '23505': 'unique', '23503': 'foreign_key', '23502': 'not_null', '23514': 'check' };
// node-sqlite3 reports only the primary code (SQLITE_CONSTRAINT); the kind is in SQLite's own message.
const SQLITE_CONSTRAINTS: Array<[RegExp, ConstraintKind]> = [
  [/UNIQUE constraint failed|PRIMARY KEY/, 'unique'], [/FOREIGN KEY constraint failed/, 'foreign_key'],
  [/NOT NULL constraint failed/, 'not_null'], [/CHECK constraint failed/, 'check'],
];

export function constraintViolation(err: unknown): ConstraintKind | null {
  const e = err as { code?: string; message?: string; driverError?: { code?: string; message?: string } };
  const code = e?.driverError?.code ?? e?.code;
  if (code && PG_CONSTRAINTS[code]) return PG_CONSTRAINTS[code];
  if (code !== 'SQLITE_CONSTRAINT') return null;
  const message = String(e?.driverError?.message ?? e?.message);
  return SQLITE_CONSTRAINTS.find(([re]) => re.test(message))?.[1] ?? 'check';
}

/** A unique-key violation (someone else already wrote that row); any other constraint is a different error. */
export const isUniqueViolation = (err: unknown): boolean => constraintViolation(err) === 'unique';

/** Ids are 32-bit signed integers in both databases (PostgreSQL rejects larger ones with a 500). */
export const MAX_ID = 2 ** 31 - 1;

/** A positive integer id from user input (number or decimal string), or a 400 naming the field. */
export function parseId(value: unknown, field: string): number {
  const n = typeof value === 'string' && /^\d{1,10}$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_ID) {
    throw new BadRequestError(`${field} must be an integer id between 1 and ${MAX_ID}`);
  }
  return n;
}
