import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMBEDDER_NORM, cosine, l2normalize } from './embedder.js';
import { pixelInput } from './mat-pixels.js';
import { TensorBuilder } from './model-input.js';
import { cv } from './opencv.js';
import { noiseImage } from './test-support.js';

test('the embedder input: RGB planes, ImageNet normalisation', () => {
  const crop = noiseImage(112, 112);
  const bgr = crop.getData();
  const t = new TensorBuilder().tensor(pixelInput([crop], EMBEDDER_NORM), [1, 3, 112, 112]);
  const plane = 112 * 112;
  // Pixel (row 3, col 5): R plane reads the BGR byte 2.
  const px = (3 * 112 + 5) * 3;
  assert.ok(Math.abs(t[3 * 112 + 5] - (bgr[px + 2] / 255 - 0.485) / 0.229) < 1e-5);
  assert.ok(Math.abs(t[plane + 3 * 112 + 5] - (bgr[px + 1] / 255 - 0.456) / 0.224) < 1e-5);
  assert.ok(Math.abs(t[2 * plane + 3 * 112 + 5] - (bgr[px] / 255 - 0.406) / 0.225) < 1e-5);
});

test('l2normalize and cosine', () => {
  const v = l2normalize(new Float32Array([3, 4]));
  assert.ok(Math.abs(v[0] - 0.6) < 1e-7 && Math.abs(v[1] - 0.8) < 1e-7);
  assert.ok(Math.abs(cosine(new Float32Array([1, 0]), new Float32Array([0, 2]))) < 1e-12);
  assert.ok(Math.abs(cosine(new Float32Array([1, 1]), new Float32Array([2, 2])) - 1) < 1e-7);
  assert.equal(cosine(new Float32Array(2), new Float32Array([1, 1])), 0);
  assert.throws(() => cosine(new Float32Array(2), new Float32Array(3)));
});

test('pixelInput: the bytes of a batch in order, a view into a larger Mat copied, other types refused', () => {
  const a = new cv.Mat(2, 2, cv.CV_8UC3, [10, 20, 30]), b = new cv.Mat(2, 2, cv.CV_8UC3, [1, 2, 3]);
  const batch = pixelInput([a, b]);
  assert.deepEqual([batch.width, batch.height], [2, 2]);
  assert.deepEqual(Array.from(batch.bytes), [...Array(4).fill([10, 20, 30]).flat(), ...Array(4).fill([1, 2, 3]).flat()]);
  assert.deepEqual(Array.from(new TensorBuilder().tensor(pixelInput([a]), [1, 3, 2, 2])), [10, 10, 10, 10, 20, 20, 20, 20, 30, 30, 30, 30]);
  const big = new cv.Mat(4, 4, cv.CV_8UC3, [7, 8, 9]);
  const view = big.getRegion(new cv.Rect(1, 1, 2, 2));
  assert.deepEqual(Array.from(pixelInput([view]).bytes), Array(4).fill([7, 8, 9]).flat());
  assert.throws(() => pixelInput([new cv.Mat(2, 2, cv.CV_8UC1, 0)]), /8-bit BGR/);
  assert.throws(() => pixelInput([a, big]), /one size/);
  assert.throws(() => pixelInput([]), /8-bit BGR/);
});
