import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnprocessableError } from '@attendance/shared';
import { ImageDecodeError, ImageTooLargeError, decodeImage, decodeImageAsync, readImageHeader, toBytes } from './image.js';
import { cv } from './opencv.js';
import { needFaces, noiseImage, readFace } from './test-support.js';

const LIMIT = 40_000_000;
const png = (w: number, h: number): Buffer => cv.imencode('.png', noiseImage(w, h));
const jpeg = (w: number, h: number): Buffer => cv.imencode('.jpg', noiseImage(w, h));

function rejects(fn: () => unknown, reason: string): void {
  assert.throws(fn, (err: unknown) => err instanceof ImageDecodeError && err instanceof UnprocessableError && err.status === 422 && err.reason === reason);
}

test('header dimensions of encoded JPEG and PNG match the image', () => {
  assert.deepEqual(readImageHeader(jpeg(64, 48)), { format: 'jpeg', width: 64, height: 48 });
  assert.deepEqual(readImageHeader(png(31, 17)), { format: 'png', width: 31, height: 17 });
});

test('header dimensions of real photos (progressive JPEG with EXIF, grey PNG, WebP)', (t) => {
  if (!needFaces(t)) return;
  assert.deepEqual(readImageHeader(readFace('deepface_p01/img2.jpg')), { format: 'jpeg', width: 1536, height: 1152 });
  assert.deepEqual(readImageHeader(readFace('deepface_p01/img1.jpg')), { format: 'jpeg', width: 1382, height: 1868 });
  assert.deepEqual(readImageHeader(readFace('faceapi_amy/amy1.png')), { format: 'png', width: 150, height: 150 });
  assert.deepEqual(readImageHeader(readFace('deepface_p03/img47.jpg')), { format: 'webp', width: 1350, height: 1800 });
  const grey = decodeImage(readFace('faceapi_amy/amy1.png'), LIMIT);
  assert.equal(grey.channels, 3);
});

test('bytes, Uint8Array, base64 and data URL all decode to the same BGR image', async () => {
  const bytes = png(20, 10);
  for (const input of [bytes, new Uint8Array(bytes), bytes.toString('base64'), `data:image/png;base64,${bytes.toString('base64')}`]) {
    const m = decodeImage(input, LIMIT);
    assert.equal(m.cols, 20);
    assert.equal(m.rows, 10);
    assert.equal(m.channels, 3);
    assert.equal((await decodeImageAsync(input, LIMIT)).cols, 20);
  }
  assert.equal(toBytes(' aGk=\n').toString(), 'hi');
});

test('empty input is a typed error', () => {
  rejects(() => decodeImage(Buffer.alloc(0), LIMIT), 'empty');
  rejects(() => decodeImage('', LIMIT), 'empty');
});

test('non-image bytes, other formats and bad base64 are typed errors', () => {
  rejects(() => decodeImage(Buffer.from('hello, this is not an image at all'), LIMIT), 'not_image');
  rejects(() => decodeImage(Buffer.from('GIF89a\x01\x00\x01\x00'), LIMIT), 'unsupported_format');
  rejects(() => decodeImage('this is not base64!', LIMIT), 'bad_base64');
  rejects(() => decodeImage('data:image/png,rawtext', LIMIT), 'bad_base64');
  rejects(() => decodeImage(42 as unknown as string, LIMIT), 'not_image');
});

test('truncated JPEG and PNG are typed errors, found before decoding', () => {
  const j = jpeg(64, 64), p = png(64, 64);
  rejects(() => decodeImage(j.subarray(0, Math.floor(j.length / 2)), LIMIT), 'truncated');
  rejects(() => decodeImage(j.subarray(0, 20), LIMIT), 'truncated');
  rejects(() => decodeImage(p.subarray(0, p.length - 20), LIMIT), 'truncated');
  rejects(() => decodeImage(p.subarray(0, 30), LIMIT), 'truncated');
});

test('a truncated real photo is a typed error', (t) => {
  if (!needFaces(t)) return;
  const photo = readFace('fr_obama/obama.jpg');
  rejects(() => decodeImage(photo.subarray(0, Math.floor(photo.length * 0.7)), LIMIT), 'truncated');
});

test('corrupt data inside a complete JPEG never crashes: typed error or an image', () => {
  const j = Buffer.from(jpeg(64, 64));
  const sos = j.indexOf(Buffer.from([0xff, 0xda]));
  j.fill(0x55, sos + 20, j.length - 2);
  try {
    assert.ok(decodeImage(j, LIMIT).cols > 0);
  } catch (err) {
    assert.ok(err instanceof ImageDecodeError, `unexpected ${String(err)}`);
  }
  const noFrame = Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x04, 0x00, 0x00, 0xff, 0xd9]);
  rejects(() => decodeImage(noFrame, LIMIT), 'corrupt');
});

test('over-size dimensions are refused from the header, before decoding', () => {
  // A valid PNG header claiming 100000×100000 pixels, followed by an (empty) IEND: never decoded.
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(100_000, 8);
  ihdr.writeUInt32BE(100_000, 12);
  ihdr.writeUInt8(8, 16);
  ihdr.writeUInt8(2, 17);
  const iend = Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
  const bomb = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr, iend]);
  assert.throws(() => decodeImage(bomb, LIMIT), (err: unknown) => err instanceof ImageTooLargeError && err.reason === 'too_large' && err.width === 100_000);
  assert.throws(() => decodeImage(jpeg(100, 100), 5_000), ImageTooLargeError);
});
