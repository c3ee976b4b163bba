import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RAW_BGR, TensorBuilder, type PixelInput, type PixelNorm } from './model-input.js';
import { PIXELS_TO_PLANAR_WASM } from './pixels-to-planar.wasm.js';

/** The definition, one value at a time. */
function reference(input: PixelInput, [n, , rows, cols]: number[]): Float32Array {
  const { bytes, width: w, height: h, norm } = input;
  const out = new Float32Array(n * 3 * rows * cols);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const from = norm.rgb ? 2 - c : c;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          out[((i * 3 + c) * rows + y) * cols + x] = Math.fround(Math.fround(bytes[((i * h + y) * w + x) * 3 + from] * Math.fround(norm.scale[c])) + Math.fround(norm.shift[c]));
        }
      }
    }
  }
  return out;
}

function pixels(n: number, h: number, w: number, norm: PixelNorm, seed = 1): PixelInput {
  const bytes = new Uint8Array(n * h * w * 3);
  let s = seed;
  for (let i = 0; i < bytes.length; i++) { s = (s * 1664525 + 1013904223) >>> 0; bytes[i] = s >>> 24; }
  bytes[0] = 255; bytes[1] = 0; // both ends of the byte range
  return { bytes, width: w, height: h, norm };
}

const IMAGENET: PixelNorm = { rgb: true, scale: [1 / (255 * 0.229), 1 / (255 * 0.224), 1 / (255 * 0.225)], shift: [-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225] };

test('the committed kernel is what its .wat source compiles to (run `npm run build:wasm` after editing it)', async () => {
  const { compiledKernel } = await import('../../../scripts/build-wasm.mjs');
  assert.equal(await compiledKernel('PIXELS_TO_PLANAR_WASM'), PIXELS_TO_PLANAR_WASM);
});

test('pixels become the planes of their definition: every width (SIMD steps and the rest), padding, batches, RGB order', () => {
  const builder = new TensorBuilder();
  const cases: Array<[number, number, number, number[], PixelNorm]> = [
    [1, 4, 16, [1, 3, 4, 16], RAW_BGR],
    [1, 3, 1, [1, 3, 3, 1], RAW_BGR],
    [1, 7, 37, [1, 3, 7, 37], IMAGENET],
    [1, 30, 45, [1, 3, 32, 64], RAW_BGR], // padded right and below, as the detector's input
    [3, 8, 80, [3, 3, 8, 80], RAW_BGR], // a batch, as the anti-spoof model's
    [1, 480, 640, [1, 3, 480, 640], RAW_BGR], // grows the memory
    [1, 5, 17, [1, 3, 6, 20], IMAGENET], // smaller again, in memory that holds an older, larger tensor
  ];
  for (const [n, h, w, dims, norm] of cases) {
    const input = pixels(n, h, w, norm, n * 1000 + h * 10 + w);
    const got = builder.tensor(input, dims);
    assert.equal(got.length, dims.reduce((a, b) => a * b), `length for ${dims}`);
    assert.deepEqual(Array.from(got), Array.from(reference(input, dims)), `values for ${n}×${h}×${w} into [${dims}]`);
  }
});

test('pixels that do not fit the input are refused', () => {
  const builder = new TensorBuilder();
  assert.throws(() => builder.tensor(pixels(1, 4, 4, RAW_BGR), [1, 3, 2, 2]), /do not fit/);
  assert.throws(() => builder.tensor(pixels(2, 4, 4, RAW_BGR), [1, 3, 4, 4]), /do not fit/);
  assert.throws(() => builder.tensor(pixels(1, 4, 4, RAW_BGR), [1, 1, 4, 4]), /do not fit/);
});
