import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cosine, embedderInput, l2normalize } from './embedder.js';
import { matToPlanar } from './planar.js';
import { cv } from './opencv.js';
import { noiseImage } from './test-support.js';

test('embedderInput: RGB planes, ImageNet normalisation, optional mirror', () => {
  const bgr = noiseImage(112, 112).getData();
  const t = embedderInput(bgr, false), m = embedderInput(bgr, true);
  const plane = 112 * 112;
  // Pixel (row 3, col 5): R plane reads the BGR byte 2.
  const px = (3 * 112 + 5) * 3;
  assert.ok(Math.abs(t[3 * 112 + 5] - (bgr[px + 2] / 255 - 0.485) / 0.229) < 1e-5);
  assert.ok(Math.abs(t[2 * plane + 3 * 112 + 5] - (bgr[px] / 255 - 0.406) / 0.225) < 1e-5);
  assert.equal(m[3 * 112 + (111 - 5)], t[3 * 112 + 5]);
});

test('l2normalize and cosine', () => {
  const v = l2normalize(new Float32Array([3, 4]));
  assert.ok(Math.abs(v[0] - 0.6) < 1e-7 && Math.abs(v[1] - 0.8) < 1e-7);
  assert.ok(Math.abs(cosine(new Float32Array([1, 0]), new Float32Array([0, 2]))) < 1e-12);
  assert.ok(Math.abs(cosine(new Float32Array([1, 1]), new Float32Array([2, 2])) - 1) < 1e-7);
  assert.equal(cosine(new Float32Array(2), new Float32Array([1, 1])), 0);
  assert.throws(() => cosine(new Float32Array(2), new Float32Array(3)));
});

test('matToPlanar splits interleaved BGR into planes', () => {
  const m = new cv.Mat(2, 2, cv.CV_8UC3, [10, 20, 30]);
  assert.deepEqual(Array.from(matToPlanar(m)), [10, 10, 10, 10, 20, 20, 20, 20, 30, 30, 30, 30]);
});
