import uWS from 'uWebSockets.js';
import { BadRequestError } from '@attendance/shared';
import type { RequestContext } from './router.js';

export interface FormBody { fields: Record<string, string>; files: Array<{ name: string; data: Buffer }> }

/** A multipart/form-data body, parsed by uWS; files are the parts with a filename. */
export function readMultipart(ctx: RequestContext): FormBody | null {
  const type = ctx.headers['content-type'];
  if (!type.startsWith('multipart/form-data')) return null;
  const parts = uWS.getParts(ctx.body, type);
  if (!parts) throw new BadRequestError('malformed multipart body');
  const form: FormBody = { fields: {}, files: [] };
  for (const p of parts) {
    const data = Buffer.from(new Uint8Array(p.data).slice());
    if (p.filename !== undefined) form.files.push({ name: p.name, data });
    else form.fields[p.name] = data.toString('utf8');
  }
  return form;
}

/** The image of a request: a raw image body, a multipart `image` file, or JSON `{ image: base64 }`. */
export function isRawImage(ctx: RequestContext): boolean {
  return /^image\//.test(ctx.headers['content-type']) || ctx.headers['content-type'] === 'application/octet-stream';
}
