import type { HttpResponse } from 'uWebSockets.js';
import { AppError, PayloadTooLargeError } from '@attendance/shared';

/** What an unauthenticated caller may make the server hold: enough for a login form, nowhere near an image. */
export const PRE_AUTH_BODY_BYTES = 64 * 1024;

/** The client went away mid-body: nothing will be answered, but the request must still finish. */
export class RequestAbortedError extends AppError {
  constructor() { super('client aborted the request', 'aborted', 499); }
}

export interface BodyReader {
  /** The whole body; rejects with PayloadTooLargeError past the limit, RequestAbortedError on abort. */
  readonly body: Promise<Buffer>;
  /** Whether the last chunk has arrived (if not, the connection must close after an early answer). */
  readonly complete: boolean;
  /** The caller is authorised: read on past PRE_AUTH_BODY_BYTES. */
  admit(): void;
  /** The client aborted: settle `body` so the request's bookkeeping ends. */
  abort(): void;
}

/**
 * Collects a request body up to `limit` bytes. Until `admit()` (authentication done), at most
 * PRE_AUTH_BODY_BYTES are held: past that the socket is paused, so an anonymous client cannot make the
 * server buffer an image-sized body. uWS neuters each chunk after the callback returns, so chunks are copied.
 */
export function readBody(res: HttpResponse, limit: number, declaredLength: number): BodyReader {
  let resolve!: (b: Buffer) => void;
  let reject!: (e: Error) => void;
  const body = new Promise<Buffer>((ok, fail) => { resolve = ok; reject = fail; });
  body.catch(() => undefined); // awaited by the router; this only keeps an early refusal from being "unhandled"
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  let admitted = false;
  let paused = false;
  let complete = false;
  const fail = (err: Error) => { if (!settled) { settled = true; chunks.length = 0; reject(err); } };
  if (declaredLength > limit) fail(new PayloadTooLargeError(limit));
  res.onData((chunk, isLast) => {
    if (isLast) complete = true;
    if (settled) return;
    size += chunk.byteLength;
    if (size > limit) { fail(new PayloadTooLargeError(limit)); return; }
    chunks.push(Buffer.from(new Uint8Array(chunk).slice()));
    if (isLast) { settled = true; resolve(Buffer.concat(chunks, size)); return; }
    if (!admitted && !paused && size > PRE_AUTH_BODY_BYTES) { paused = true; res.pause(); }
  });
  return {
    body,
    get complete() { return complete; },
    admit: () => {
      admitted = true;
      if (paused && !settled) { paused = false; res.resume(); }
    },
    abort: () => fail(new RequestAbortedError()),
  };
}
