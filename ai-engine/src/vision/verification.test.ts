import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestThreshold, kFoldAccuracy, parsePairs, rocAuc, tarAtFar, type ScoredPair } from './verification.js';

const s = (score: number, same: boolean): ScoredPair => ({ score, same });

test('parsePairs reads tab-separated lines and rejects malformed ones', () => {
  assert.deepEqual(parsePairs('a/1.jpg\ta/2.jpg\t1\n# comment\n\nb/1.jpg\tc/1.jpg\t0\n'), [
    { a: 'a/1.jpg', b: 'a/2.jpg', same: true }, { a: 'b/1.jpg', b: 'c/1.jpg', same: false },
  ]);
  assert.throws(() => parsePairs('a\tb\tyes'), /line 1/);
});

test('bestThreshold, AUC and TAR@FAR on separable and overlapping scores', () => {
  const separable = [s(0.9, true), s(0.8, true), s(0.2, false), s(0.1, false)];
  assert.deepEqual(bestThreshold(separable), { threshold: 0.5, accuracy: 1 });
  assert.equal(rocAuc(separable), 1);
  const mixed = [s(0.9, true), s(0.3, true), s(0.5, false), s(0.1, false)];
  assert.equal(rocAuc(mixed), 0.75);
  assert.equal(bestThreshold(mixed).accuracy, 0.75);
  assert.equal(rocAuc([s(0.5, true), s(0.5, false)]), 0.5);
  const r = tarAtFar(mixed, 0);
  assert.equal(r.threshold, 0.5);
  assert.equal(r.far, 0);
  assert.equal(r.tar, 0.5);
});

test('k-fold accuracy picks thresholds without the tested fold', () => {
  const scores = Array.from({ length: 40 }, (_, i) => s(i < 20 ? 0.6 + i / 100 : 0.1 + i / 1000, i < 20));
  const r = kFoldAccuracy(scores, 10);
  assert.equal(r.mean, 1);
  assert.equal(r.accuracies.length, 10);
  assert.ok(r.thresholds.every((t) => t > 0.14 && t < 0.6));
});
