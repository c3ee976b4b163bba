import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARCFACE_TEMPLATE, alignFace, applyAffine, similarityTransform } from './align.js';
import { cv } from './opencv.js';

const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('similarityTransform recovers a known rotation, scale and shift exactly', () => {
  const angle = 0.3, scale = 1.7, tx = 12, ty = -5;
  const move = ([x, y]: [number, number]): [number, number] => [scale * (Math.cos(angle) * x - Math.sin(angle) * y) + tx, scale * (Math.sin(angle) * x + Math.cos(angle) * y) + ty];
  const src = ARCFACE_TEMPLATE.map(([x, y]) => [x * 3 + 100, y * 3 + 40] as [number, number]);
  const m = similarityTransform(src, src.map(move));
  src.forEach((p) => {
    const [x, y] = applyAffine(m, p), [ex, ey] = move(p);
    close(x, ex, 1e-9, 'x');
    close(y, ey, 1e-9, 'y');
  });
});

test('similarityTransform is the least-squares fit for noisy points and never reflects', () => {
  const src = ARCFACE_TEMPLATE.map(([x, y]) => [x * 2, y * 2] as [number, number]);
  const noisy = ARCFACE_TEMPLATE.map(([x, y], i) => [x + (i % 2 ? 0.8 : -0.8), y + (i % 3 ? 0.5 : -0.5)] as [number, number]);
  const m = similarityTransform(src, noisy);
  assert.ok(m[0] > 0, 'no flip');
  close(Math.hypot(m[0], m[3]), 0.5, 0.02, 'scale');
  // Mirrored landmarks cannot be matched by a rotation: the fit degrades instead of flipping.
  const mirrored = src.map(([x, y]) => [-x, y] as [number, number]);
  const r = similarityTransform(mirrored, ARCFACE_TEMPLATE);
  assert.equal(r[0], r[4]);
  assert.equal(r[1], -r[3]);
});

test('alignFace maps the landmarks onto the template in a 112×112 crop', () => {
  // Draw dots at template points scaled ×2 and shifted; after alignment they must sit on the template.
  const img = new cv.Mat(300, 300, cv.CV_8UC3, [0, 0, 0]);
  const pts = ARCFACE_TEMPLATE.map(([x, y]) => [x * 2 + 50, y * 2 + 30] as [number, number]);
  for (const [x, y] of pts) img.drawCircle(new cv.Point2(x, y), 3, new cv.Vec3(255, 255, 255), -1);
  const crop = alignFace(img, pts);
  assert.equal(crop.cols, 112);
  assert.equal(crop.rows, 112);
  const grey = crop.bgrToGray();
  for (const [x, y] of ARCFACE_TEMPLATE) assert.ok(grey.at(Math.round(y), Math.round(x)) > 100, `dot at ${x},${y}`);
});
