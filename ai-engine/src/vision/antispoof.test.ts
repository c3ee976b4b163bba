import { test } from 'node:test';
import assert from 'node:assert/strict';
import { softmax, spoofCrop } from './antispoof.js';

test('spoofCrop scales the box 2.7× about its centre when it fits', () => {
  const [x, y, w, h] = spoofCrop([300, 200, 40, 50], 1000, 1000);
  assert.ok(Math.abs(w - 108) <= 1 && Math.abs(h - 135) <= 1, `${w}x${h}`);
  assert.ok(Math.abs(x + w / 2 - 320) <= 1 && Math.abs(y + h / 2 - 225) <= 1);
});

test('spoofCrop caps the scale to the image and shifts the crop back inside', () => {
  // A face at the left edge of a 640×480 frame whose 2.7× box would be taller than the frame.
  const [x, y, w, h] = spoofCrop([0, 100, 150, 200], 640, 480);
  assert.ok(x >= 0 && y >= 0 && x + w <= 640 && y + h <= 480, `${x},${y},${w},${h}`);
  assert.ok(h >= 478, 'scale capped at (H-1)/h, so the crop spans the height');
  const tiny = spoofCrop([-5, -5, 10, 10], 20, 20);
  assert.ok(tiny[2] >= 1 && tiny[3] >= 1 && tiny[0] >= 0 && tiny[1] >= 0);
});

test('softmax is stable and sums to one', () => {
  const p = softmax([1000, 1001, 999]);
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  assert.ok(p[1] > p[0] && p[0] > p[2]);
});
