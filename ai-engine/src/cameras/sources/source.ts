import path from 'node:path';

/** Where frames come from: an RTSP/HTTP stream, a local USB camera, or a video file (demos, tests). */
export type SourceSpec =
  | { kind: 'stream'; uri: string }
  | { kind: 'usb'; device: number }
  | { kind: 'file'; path: string; loop: boolean };

export class SourceSpecError extends Error {}

/**
 * `rtsp://…` (also `rtsps://`, `http(s)://`), `usb:N`, `file:/path/video.mp4` or `file:/path?loop=1`.
 * A relative file path is resolved against the working directory.
 */
export function parseSource(source: string): SourceSpec {
  const s = source.trim();
  if (/^(rtsps?|https?):\/\//i.test(s)) return { kind: 'stream', uri: s };
  const usb = /^usb:(\d{1,2})$/i.exec(s);
  if (usb) return { kind: 'usb', device: Number(usb[1]) };
  if (/^file:/i.test(s)) {
    const [p, query = ''] = s.slice(5).replace(/^\/\/(?=\/)/, '').split('?');
    if (!p) throw new SourceSpecError('file: source needs a path');
    const loop = new URLSearchParams(query).get('loop');
    return { kind: 'file', path: path.resolve(p), loop: loop === '1' || loop === 'true' };
  }
  throw new SourceSpecError(`unsupported camera source (expected rtsp://…, usb:N or file:…): ${redactSource(s)}`);
}

/** A source fit for logs and status: credentials in a URL are hidden (cameras often embed them). */
export function redactSource(source: string): string {
  return source.replace(/^([a-z]+:\/\/)[^@/]*@/i, '$1***@');
}

/** Files that end without looping stop for good; everything else is worth reconnecting to. */
export const reconnects = (spec: SourceSpec) => spec.kind !== 'file' || spec.loop;
