import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Gallery } from './gallery.js';
import { decide } from './matcher.js';

const unit = (dim: number, hot: number, noise = 0) => {
  const v = new Float32Array(dim);
  v[hot] = 1;
  if (noise) v[(hot + 1) % dim] = noise;
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

test('per-student score is the best of its templates, ranked', () => {
  const g = new Gallery(8, 1);
  g.load([{ studentId: 1, vector: unit(8, 0) }, { studentId: 1, vector: unit(8, 3) }, { studentId: 2, vector: unit(8, 0, 0.5) }]);
  assert.equal(g.size, 3);
  const r = g.search(unit(8, 3), 5);
  assert.deepEqual(r.map((x) => x.studentId), [1, 2]);
  assert.ok(Math.abs(r[0].similarity - 1) < 1e-6);
});

test('a student\'s score from its templates: best one, mean of the best two, or the centroid; runs stay together', () => {
  const rows = [{ studentId: 1, vector: unit(8, 0) }, { studentId: 2, vector: unit(8, 5) }, { studentId: 1, vector: unit(8, 1) }, { studentId: 1, vector: unit(8, 2) }];
  const q = unit(8, 0, 1); // 0.707 on axes 0 and 1
  const score = (scoring: 'max' | 'mean2' | 'centroid') => { const g = new Gallery(8, 1, scoring); g.load(rows); return g.search(q, 1)[0]; };
  assert.ok(Math.abs(score('max').similarity - Math.SQRT1_2) < 1e-6);
  assert.ok(Math.abs(score('mean2').similarity - Math.SQRT1_2) < 1e-6);
  assert.ok(Math.abs(score('centroid').similarity - (2 * Math.SQRT1_2) / Math.sqrt(3)) < 1e-6);
  const g = new Gallery(8, 1, 'mean2');
  g.load(rows);
  assert.deepEqual([g.studentCount, g.templatesOf(1).length, [...g.runs()].map((r) => r.studentId)], [2, 3, [1, 2]]);
  assert.ok(Math.abs(g.search(unit(8, 2), 1)[0].similarity - 0.5) < 1e-6, 'one perfect template and one orthogonal: 0.5');
  const v = g.version;
  g.setStudent(2, [unit(8, 6)]);
  assert.ok(g.version > v, 'a change moves the version');
});

test('patching a student replaces only its rows; removal compacts; the roster filter restricts', () => {
  const g = new Gallery(8, 2);
  g.load([{ studentId: 1, vector: unit(8, 0) }, { studentId: 2, vector: unit(8, 1) }, { studentId: 3, vector: unit(8, 2) }]);
  g.setStudent(2, [unit(8, 4), unit(8, 5)]);
  assert.equal(g.size, 4);
  assert.equal(g.search(unit(8, 1), 1)[0].similarity < 0.5, true, 'old template gone');
  assert.equal(g.search(unit(8, 5), 1)[0].studentId, 2);
  g.removeStudent(1);
  assert.equal(g.size, 3);
  assert.equal(g.search(unit(8, 2), 1)[0].studentId, 3, 'rows after the removed one still match their owner');
  assert.deepEqual(g.search(unit(8, 2), 3, new Set([2])).map((x) => x.studentId), [2]);
});

test('decision: threshold, margin over the runner-up, empty gallery', () => {
  const g = new Gallery(8);
  assert.equal(decide(g, unit(8, 0), { threshold: 0.4, margin: 0.05 }).kind, 'unknown');
  g.load([{ studentId: 1, vector: unit(8, 0) }, { studentId: 2, vector: unit(8, 0, 0.05) }, { studentId: 3, vector: unit(8, 6) }]);
  const ambiguous = decide(g, unit(8, 0), { threshold: 0.4, margin: 0.05 });
  assert.deepEqual([ambiguous.kind, ambiguous.kind === 'unknown' && ambiguous.reason], ['unknown', 'ambiguous']);
  const clear = decide(g, unit(8, 6), { threshold: 0.4, margin: 0.05 });
  assert.deepEqual([clear.kind, clear.kind === 'match' && clear.studentId], ['match', 3]);
  const low = decide(g, unit(8, 7), { threshold: 0.4, margin: 0.05 });
  assert.deepEqual([low.kind, low.kind === 'unknown' && low.reason], ['unknown', 'below_threshold']);
});
