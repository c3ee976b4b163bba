import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeYuNet, iou, nms, planInput, refineWindow, REFINE_FACE_SIZE, toSource } from './detector.js';
import type { DetectedFace } from './types.js';

const face = (x: number, y: number, w: number, h: number, score: number): DetectedFace => ({ box: [x, y, w, h], score, landmarks: [] });

test('planInput keeps the aspect ratio, never upscales, pads to multiples of 32', () => {
  assert.deepEqual(planInput(640, 480, 640), { scale: 1, width: 640, height: 480, inWidth: 640, inHeight: 480 });
  assert.deepEqual(planInput(640, 480, 320), { scale: 0.5, width: 320, height: 240, inWidth: 320, inHeight: 256 });
  assert.deepEqual(planInput(150, 150, 640), { scale: 1, width: 150, height: 150, inWidth: 160, inHeight: 160 });
  assert.deepEqual(planInput(1280, 886, 640, 640), { scale: 0.5, width: 640, height: 443, inWidth: 640, inHeight: 640 });
});

test('decodeYuNet follows the MODELS.md formulas', () => {
  // A 64×32 input: stride 8 has 8×4 cells. Put one confident anchor at row 1, col 2.
  const W = 64, H = 32;
  const out: Record<string, Float32Array> = {};
  for (const s of [8, 16, 32]) {
    const n = (W / s) * (H / s);
    out[`cls_${s}`] = new Float32Array(n);
    out[`obj_${s}`] = new Float32Array(n);
    out[`bbox_${s}`] = new Float32Array(n * 4);
    out[`kps_${s}`] = new Float32Array(n * 10);
  }
  const i = 1 * 8 + 2;
  out.cls_8[i] = 0.81;
  out.obj_8[i] = 1.2; // clamped to 1
  out.bbox_8.set([0.5, 0.25, Math.log(2), Math.log(3)], i * 4);
  out.kps_8.set([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], i * 10);
  const faces = decodeYuNet(out, W, H, 0.6);
  assert.equal(faces.length, 1);
  const [f] = faces;
  assert.ok(Math.abs(f.score - 0.9) < 1e-6);
  const [cx, cy, w, h] = [(2 + 0.5) * 8, (1 + 0.25) * 8, 16, 24];
  f.box.forEach((v, k) => assert.ok(Math.abs(v - [cx - w / 2, cy - h / 2, w, h][k]) < 1e-5));
  assert.deepEqual(f.landmarks[0].map((v) => +v.toFixed(4)), [(0.1 + 2) * 8, (0.2 + 1) * 8].map((v) => +v.toFixed(4)));
  assert.equal(decodeYuNet(out, W, H, 0.95).length, 0);
});

test('decodeYuNet drops candidates whose box regression saturated (infinite or absurd size)', () => {
  const W = 64, H = 32;
  const out: Record<string, Float32Array> = {};
  for (const s of [8, 16, 32]) {
    const n = (W / s) * (H / s);
    out[`cls_${s}`] = new Float32Array(n).fill(0.9);
    out[`obj_${s}`] = new Float32Array(n).fill(0.9);
    out[`bbox_${s}`] = new Float32Array(n * 4);
    out[`kps_${s}`] = new Float32Array(n * 10);
  }
  out.bbox_8.set([0, 0, 1000, 0.1], 0); // exp(1000) = Infinity
  out.bbox_8.set([0, 0, 5, 5], 4); // 8·e^5 ≈ 1187 px on a 64×32 input
  const faces = decodeYuNet(out, W, H, 0.6);
  assert.equal(faces.length, (W / 8) * (H / 8) - 2 + (W / 16) * (H / 16) + (W / 32) * (H / 32));
  assert.ok(faces.every((f) => f.box.every(Number.isFinite) && f.box[2] <= 2 * W));
});

test('nms keeps the best of overlapping boxes and every separate one', () => {
  const kept = nms([face(0, 0, 10, 10, 0.7), face(1, 1, 10, 10, 0.9), face(50, 50, 10, 10, 0.8)]);
  assert.deepEqual(kept.map((f) => f.score), [0.9, 0.8]);
  assert.equal(iou([0, 0, 10, 10], [5, 0, 10, 10]), 50 / 150);
});

test('toSource undoes scaling and a border; refineWindow brings the face to the canonical size', () => {
  const f = toSource({ box: [20, 20, 40, 40], score: 1, landmarks: [[30, 30]] }, 0.5, 10);
  assert.deepEqual(f.box, [30, 30, 80, 80]);
  assert.deepEqual(f.landmarks, [[50, 50]]);
  const w = refineWindow([100, 100, 50, 200]);
  assert.equal(Math.max(50, 200) * w.scale, REFINE_FACE_SIZE);
  assert.equal(w.x + (w.size / w.scale) / 2, 125);
});
