import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FaceTracker, iou, type Box, type Observation } from './tracker.js';

const A: Box = [100, 100, 80, 80];
const B: Box = [400, 100, 80, 80];
const match = (studentId: number, similarity = 0.6): Observation => ({ kind: 'match', studentId, similarity });

test('iou of identical, disjoint and half-overlapping boxes', () => {
  assert.equal(iou(A, A), 1);
  assert.equal(iou(A, B), 0);
  assert.ok(Math.abs(iou([0, 0, 10, 10], [5, 0, 10, 10]) - 1 / 3) < 1e-9);
});

test('a moving face keeps its track; a new face gets a new one; a lost track expires', () => {
  const tr = new FaceTracker({ votes: 3, window: 5, iou: 0.3, maxMissed: 1 });
  const [t1] = tr.update([{ box: A, observation: { kind: 'unknown' } }]);
  const [t1b, t2] = tr.update([{ box: [105, 102, 80, 80], observation: { kind: 'unknown' } }, { box: B, observation: { kind: 'unknown' } }]);
  assert.equal(t1b.id, t1.id);
  assert.notEqual(t2.id, t1.id);
  tr.update([{ box: B, observation: { kind: 'unknown' } }]);
  tr.update([{ box: B, observation: { kind: 'unknown' } }]);
  assert.deepEqual(tr.active.map((t) => t.id), [t2.id]);
});

test('a track is named only after N agreeing frames, and never while a rejected frame is in its window', () => {
  const tr = new FaceTracker({ votes: 3, window: 4, iou: 0.3, maxMissed: 2 });
  assert.equal(tr.update([{ box: A, observation: match(7) }])[0].identity, null);
  assert.equal(tr.update([{ box: A, observation: match(7) }])[0].identity, null);
  assert.equal(tr.update([{ box: A, observation: match(7, 0.9) }])[0].identity?.studentId, 7);
  assert.equal(tr.update([{ box: A, observation: { kind: 'rejected' } }])[0].identity, null);
  for (let i = 0; i < 3; i++) tr.update([{ box: A, observation: match(7) }]);
  assert.equal(tr.update([{ box: A, observation: match(7) }])[0].identity?.studentId, 7);
});

test('disagreeing frames never reach the vote; one student goes to at most one face per frame', () => {
  const tr = new FaceTracker({ votes: 2, window: 3, iou: 0.3, maxMissed: 2 });
  tr.update([{ box: A, observation: match(1) }]);
  assert.equal(tr.update([{ box: A, observation: match(2) }])[0].identity, null);
  const two = () => tr.update([{ box: A, observation: match(5, 0.5) }, { box: B, observation: match(5, 0.8) }]);
  two();
  const [a, b] = two();
  assert.equal(a.identity, null);
  assert.equal(b.identity?.studentId, 5);
});
