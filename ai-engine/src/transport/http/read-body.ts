import type { HttpResponse } from 'uWebSockets.js';
import { PayloadTooLargeError } from '@attendance/shared';

/**
 * Collects a request body up to `limit` bytes. uWS neuters each chunk after the callback returns,
 * so chunks are copied. Rejects with PayloadTooLargeError as soon as the limit is passed.
 */
export function readBody(res: HttpResponse, limit: number, declaredLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (declaredLength > limit) {
      reject(new PayloadTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    res.onData((chunk, isLast) => {
      if (failed) return;
      size += chunk.byteLength;
      if (size > limit) {
        failed = true;
        reject(new PayloadTooLargeError(limit));
        return;
      }
      chunks.push(Buffer.from(new Uint8Array(chunk).slice()));
      if (isLast) resolve(Buffer.concat(chunks, size));
    });
  });
}
