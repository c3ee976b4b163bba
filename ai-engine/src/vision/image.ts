/**
 * Image input: bytes or base64 in, a BGR Mat out, or a typed error. Dimensions are read from the
 * JPEG SOF / PNG IHDR header and checked against the pixel limit BEFORE decoding, so a small file
 * that claims 100k×100k pixels never reaches the decoder's allocator. JPEG, PNG and WebP (what phones
 * and browsers produce) are accepted; other formats are refused rather than handed to every codec OpenCV has.
 */
import { UnprocessableError } from '@attendance/shared';
import { cv, type Mat } from './opencv.js';

export type ImageErrorReason = 'empty' | 'bad_base64' | 'not_image' | 'unsupported_format' | 'truncated' | 'corrupt' | 'too_large';

/** The input is not a usable image (HTTP 422). `reason` says why, for callers and clients alike. */
export class ImageDecodeError extends UnprocessableError {
  constructor(readonly reason: ImageErrorReason, message: string, extra?: Record<string, unknown>) {
    super(message, { reason, ...extra });
  }
}

/** The header declares more pixels than allowed; thrown before any decoding. */
export class ImageTooLargeError extends ImageDecodeError {
  constructor(readonly width: number, readonly height: number, readonly maxPixels: number) {
    super('too_large', `image is ${width}x${height} pixels, more than the limit of ${maxPixels}`, { width, height, maxPixels });
  }
}

export interface ImageHeader { format: 'jpeg' | 'png' | 'webp'; width: number; height: number }

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;

/** Bytes from a Buffer, a Uint8Array (not copied) or a base64 string / data URL. */
export function toBytes(input: Buffer | Uint8Array | string): Buffer {
  if (Buffer.isBuffer(input)) return input;
  if (input instanceof Uint8Array) return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (typeof input !== 'string') throw new ImageDecodeError('not_image', 'image must be bytes or a base64 string');
  const comma = input.startsWith('data:') ? input.indexOf(',') : -1;
  if (input.startsWith('data:') && (comma < 0 || !input.slice(0, comma).endsWith(';base64'))) {
    throw new ImageDecodeError('bad_base64', 'data URL must be base64-encoded');
  }
  const text = input.slice(comma + 1).replace(/\s+/g, '');
  // Buffer.from(…, 'base64') silently skips foreign characters: validate first so garbage is named as such.
  if (!BASE64.test(text)) throw new ImageDecodeError('bad_base64', 'string is neither base64 nor a base64 data URL');
  return Buffer.from(text, 'base64');
}

/** Format and dimensions from the header, after checking the file is complete. Throws ImageDecodeError. */
export function readImageHeader(bytes: Buffer): ImageHeader {
  if (bytes.length === 0) throw new ImageDecodeError('empty', 'image is empty');
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return readPngHeader(bytes);
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return readJpegHeader(bytes);
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return readWebpHeader(bytes);
  if (looksLikeOtherImage(bytes)) throw new ImageDecodeError('unsupported_format', 'only JPEG, PNG and WebP images are accepted');
  throw new ImageDecodeError('not_image', 'data is not a JPEG, PNG or WebP image');
}

function looksLikeOtherImage(b: Buffer): boolean {
  const ascii = b.subarray(0, 4).toString('latin1');
  return ascii.startsWith('GIF8') || ascii.startsWith('BM') || ascii === 'II*\0' || ascii === 'MM\0*';
}

/** WebP: the RIFF size says how long the file must be; the first chunk (VP8 / VP8L / VP8X) has the size. */
function readWebpHeader(b: Buffer): ImageHeader {
  if (b.readUInt32LE(4) + 8 > b.length) throw new ImageDecodeError('truncated', 'WebP ends before its RIFF size');
  if (b.length < 30) throw new ImageDecodeError('truncated', 'WebP header is incomplete');
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') return checkDims({ format: 'webp', width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff });
  if (chunk === 'VP8L') {
    const bits = b.readUInt32LE(21);
    return checkDims({ format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 });
  }
  if (chunk === 'VP8X') return checkDims({ format: 'webp', width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 });
  throw new ImageDecodeError('corrupt', `WebP with an unknown first chunk ${JSON.stringify(chunk)}`);
}

function readPngHeader(b: Buffer): ImageHeader {
  if (b.length < 33 || b.toString('latin1', 12, 16) !== 'IHDR') throw new ImageDecodeError('truncated', 'PNG header is incomplete');
  const width = b.readUInt32BE(16);
  const height = b.readUInt32BE(20);
  // Walk the chunk list (lengths only, no CRC) to find IEND: a cut-off upload lacks it.
  let pos = 8;
  for (;;) {
    if (pos + 8 > b.length) throw new ImageDecodeError('truncated', 'PNG ends before its IEND chunk');
    const len = b.readUInt32BE(pos);
    const type = b.toString('latin1', pos + 4, pos + 8);
    pos += 12 + len;
    if (pos > b.length) throw new ImageDecodeError('truncated', `PNG chunk ${type} runs past the end of the data`);
    if (type === 'IEND') break;
  }
  return checkDims({ format: 'png', width, height });
}

/** SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not. */
function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function readJpegHeader(b: Buffer): ImageHeader {
  let pos = 2;
  let dims: { width: number; height: number } | undefined;
  while (pos < b.length) {
    if (b[pos] !== 0xff) throw new ImageDecodeError('corrupt', `JPEG marker expected at byte ${pos}`);
    while (b[pos] === 0xff) pos++; // fill bytes
    if (pos >= b.length) break;
    const marker = b[pos++];
    if (marker === 0xd9) throw new ImageDecodeError('corrupt', 'JPEG ends before any image data');
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue;
    if (pos + 2 > b.length) break;
    const len = b.readUInt16BE(pos);
    if (len < 2) throw new ImageDecodeError('corrupt', 'JPEG segment with an impossible length');
    if (isSof(marker) && pos + 7 <= b.length) dims = { height: b.readUInt16BE(pos + 3), width: b.readUInt16BE(pos + 5) };
    if (marker === 0xda) {
      if (!dims) throw new ImageDecodeError('corrupt', 'JPEG scan without a frame header');
      // In entropy-coded data 0xFF is always followed by 0x00 or a restart marker, so the first
      // FFD9 after the first scan is the real end of image (tables between progressive scans are other markers).
      if (b.indexOf(EOI, pos + len) < 0) throw new ImageDecodeError('truncated', 'JPEG ends before its end-of-image marker');
      return checkDims({ format: 'jpeg', ...dims });
    }
    pos += len;
  }
  throw new ImageDecodeError('truncated', 'JPEG ends inside its header');
}
const EOI = Buffer.from([0xff, 0xd9]);

function checkDims(h: ImageHeader): ImageHeader {
  if (h.width === 0 || h.height === 0) throw new ImageDecodeError('corrupt', `image header says ${h.width}x${h.height} pixels`);
  return h;
}

function checkedHeader(bytes: Buffer, maxPixels: number): ImageHeader {
  const header = readImageHeader(bytes);
  if (header.width * header.height > maxPixels) throw new ImageTooLargeError(header.width, header.height, maxPixels);
  return header;
}

function checkDecoded(mat: Mat, header: ImageHeader): Mat {
  if (mat.empty || mat.rows === 0 || mat.cols === 0) throw new ImageDecodeError('corrupt', `${header.format.toUpperCase()} data could not be decoded`);
  return mat;
}

function decodeFailed(err: unknown, header: ImageHeader): ImageDecodeError {
  // The binding throws non-Error values on decoder failures; keep what it said as the cause.
  const text = err instanceof Error ? err.message : String(err);
  return new ImageDecodeError('corrupt', `${header.format.toUpperCase()} data could not be decoded: ${text}`);
}

/**
 * Decodes to an 8-bit, 3-channel BGR Mat (grey and alpha images are converted; EXIF orientation is
 * applied, as a camera app shows the photo). Throws ImageDecodeError / ImageTooLargeError.
 */
export function decodeImage(input: Buffer | Uint8Array | string, maxPixels: number): Mat {
  const bytes = toBytes(input);
  const header = checkedHeader(bytes, maxPixels);
  let mat: Mat;
  try {
    mat = cv.imdecode(bytes, cv.IMREAD_COLOR);
  } catch (err) {
    throw decodeFailed(err, header);
  }
  return checkDecoded(mat, header);
}

/** decodeImage on the libuv thread pool, so a large photo does not hold the event loop. */
export async function decodeImageAsync(input: Buffer | Uint8Array | string, maxPixels: number): Promise<Mat> {
  const bytes = toBytes(input);
  const header = checkedHeader(bytes, maxPixels);
  let mat: Mat;
  try {
    mat = await cv.imdecodeAsync(bytes, cv.IMREAD_COLOR);
  } catch (err) {
    throw decodeFailed(err, header);
  }
  return checkDecoded(mat, header);
}
