import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FaceTracker, fuse, iou, type Box, type DecideFused, type Observation } from './tracker.js';

const A: Box = [100, 100, 80, 80];
const B: Box = [400, 100, 80, 80];
const unit = (...xs: number[]) => { const v = Float32Array.from(xs); const n = Math.hypot(...v); return v.map((x) => x / n); };
const face = (embedding: Float32Array, weight = 1): Observation => ({ kind: 'face', embedding, weight });
/** A two-student gallery on the first two axes, threshold 0.8. */
const decide: DecideFused = (v) => (v[0] >= 0.8 ? { studentId: 1, similarity: v[0] } : v[1] >= 0.8 ? { studentId: 2, similarity: v[1] } : null);

test('iou of identical, disjoint and half-overlapping boxes', () => {
  assert.equal(iou(A, A), 1);
  assert.equal(iou(A, B), 0);
  assert.ok(Math.abs(iou([0, 0, 10, 10], [5, 0, 10, 10]) - 1 / 3) < 1e-9);
});

test('a moving face keeps its track; a new face gets a new one; a lost track expires', () => {
  const tr = new FaceTracker(decide, { votes: 3, window: 5, iou: 0.3, maxMissed: 1 });
  const [t1] = tr.update([{ box: A, observation: { kind: 'low_quality' } }]);
  const [t1b, t2] = tr.update([{ box: [105, 102, 80, 80], observation: { kind: 'low_quality' } }, { box: B, observation: { kind: 'low_quality' } }]);
  assert.equal(t1b.id, t1.id);
  assert.notEqual(t2.id, t1.id);
  tr.update([{ box: B, observation: { kind: 'low_quality' } }]);
  tr.update([{ box: B, observation: { kind: 'low_quality' } }]);
  assert.deepEqual(tr.active.map((t) => t.id), [t2.id]);
});

test('fusion is the weighted, normalised mean of the usable frames', () => {
  const f = fuse([face(unit(1, 0)), { kind: 'low_quality' }, face(unit(0, 1), 3)])!;
  assert.ok(Math.abs(f[0] - 1 / Math.hypot(1, 3)) < 1e-6 && Math.abs(f[1] - 3 / Math.hypot(1, 3)) < 1e-6);
  assert.equal(fuse([{ kind: 'spoof' }]), null);
});

test('a track is named on its fusion after N usable frames, never while a spoof is in its window', () => {
  const tr = new FaceTracker(decide, { votes: 3, window: 4, iou: 0.3, maxMissed: 2 });
  assert.equal(tr.update([{ box: A, observation: face(unit(1, 0.2)) }])[0].identity, null);
  assert.equal(tr.update([{ box: A, observation: { kind: 'low_quality' } }])[0].identity, null, 'unusable frames do not count');
  assert.equal(tr.update([{ box: A, observation: face(unit(1, 0.1)) }])[0].identity, null);
  assert.equal(tr.update([{ box: A, observation: face(unit(1, 0)) }])[0].identity?.studentId, 1);
  assert.equal(tr.update([{ box: A, observation: { kind: 'spoof' } }])[0].identity, null);
  for (let i = 0; i < 3; i++) tr.update([{ box: A, observation: face(unit(1, 0)) }]);
  assert.equal(tr.update([{ box: A, observation: face(unit(1, 0)) }])[0].identity?.studentId, 1);
});

test('a face that stays below the threshold is never named, however long it stays', () => {
  const tr = new FaceTracker(decide, { votes: 3, window: 5, iou: 0.3, maxMissed: 2 });
  for (let i = 0; i < 100; i++) {
    // Frames that, one by one, would each pass for student 1 or 2 now and then: the fusion stays in between.
    const [t] = tr.update([{ box: A, observation: face(i % 2 ? unit(0.85, 0.5) : unit(0.5, 0.85)) }]);
    assert.equal(t.identity, null, `frame ${i}`);
  }
});

test('one student goes to at most one face per frame (the more similar)', () => {
  const tr = new FaceTracker(decide, { votes: 2, window: 3, iou: 0.3, maxMissed: 2 });
  const two = () => tr.update([{ box: A, observation: face(unit(0.85, 0.4)) }, { box: B, observation: face(unit(1, 0.1)) }]);
  two();
  const [a, b] = two();
  assert.equal(a.identity, null);
  assert.equal(b.identity?.studentId, 1);
});
