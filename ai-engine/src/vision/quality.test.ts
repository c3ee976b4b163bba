import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_QUALITY_THRESHOLDS, assessQuality, interOcular, measureCrop } from './quality.js';
import { cv } from './opencv.js';
import { noiseImage } from './test-support.js';

const frontal = { yaw: 0, pitch: 0, roll: 0 };
const good = { interOcular: 60, sharpness: 500, brightness: 120 };

test('a good face passes; each failing measure adds its reason', () => {
  assert.deepEqual(assessQuality(good, frontal, DEFAULT_QUALITY_THRESHOLDS), { ok: true, reasons: [], ...good });
  const bad = assessQuality({ interOcular: 10, sharpness: 5, brightness: 20 }, { yaw: 60, pitch: 0, roll: 0 }, DEFAULT_QUALITY_THRESHOLDS);
  assert.equal(bad.ok, false);
  assert.deepEqual(bad.reasons, ['too_small', 'too_blurry', 'too_dark', 'pose_too_large']);
  assert.deepEqual(assessQuality({ ...good, brightness: 250 }, { yaw: 0, pitch: -45, roll: 0 }, DEFAULT_QUALITY_THRESHOLDS).reasons, ['too_bright', 'pose_too_large']);
});

test('thresholds are the caller\'s: enrollment can be stricter than the defaults', () => {
  const strict = { ...DEFAULT_QUALITY_THRESHOLDS, maxYaw: 10 };
  assert.deepEqual(assessQuality(good, { yaw: 12, pitch: 0, roll: 0 }, strict).reasons, ['pose_too_large']);
});

test('measureCrop: noise is sharp, a flat grey crop has no sharpness and its own brightness', () => {
  const flat = measureCrop(new cv.Mat(112, 112, cv.CV_8UC3, [40, 40, 40]));
  assert.equal(flat.sharpness, 0);
  assert.ok(Math.abs(flat.brightness - 40) < 1e-9);
  const noisy = measureCrop(noiseImage(112, 112));
  assert.ok(noisy.sharpness > 1000);
  const blurred = measureCrop(noiseImage(112, 112).gaussianBlur(new cv.Size(9, 9), 3));
  assert.ok(blurred.sharpness < noisy.sharpness / 10);
  assert.equal(interOcular([[0, 0], [3, 4]]), 5);
});
