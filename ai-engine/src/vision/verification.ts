/**
 * Face-verification metrics over labelled pairs, shared by `npm run eval` and the tests:
 * 10-fold accuracy (threshold chosen on 9 folds, tested on the 10th), TAR at a fixed FAR, ROC AUC.
 * A pair scores "same" when its cosine is strictly above the threshold.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface Pair { a: string; b: string; same: boolean }
export interface ScoredPair { score: number; same: boolean }

/** Lines `relpathA<TAB>relpathB<TAB>1|0`; blank lines and lines starting with # are skipped. */
export function parsePairs(text: string): Pair[] {
  return text.split(/\r?\n/).flatMap((line, i) => {
    if (!line.trim() || line.startsWith('#')) return [];
    const [a, b, label, ...rest] = line.split('\t');
    if (!a || !b || (label !== '1' && label !== '0') || rest.length) throw new Error(`pairs line ${i + 1}: expected "A<TAB>B<TAB>1|0", got ${JSON.stringify(line)}`);
    return [{ a, b, same: label === '1' }];
  });
}

export function readPairs(file: string): Pair[] {
  return parsePairs(fs.readFileSync(file, 'utf8'));
}

/** The distinct image paths of a pair list, in first-seen order. */
export function pairImages(pairs: readonly Pair[], imagesDir: string): string[] {
  return [...new Set(pairs.flatMap((p) => [p.a, p.b]))].map((rel) => path.join(imagesDir, rel));
}

function accuracyAt(scores: readonly ScoredPair[], t: number): number {
  let right = 0;
  for (const s of scores) if ((s.score > t) === s.same) right++;
  return scores.length ? right / scores.length : 0;
}

/** The threshold with the best accuracy on these pairs (midpoints between sorted scores; on ties the highest such threshold). */
export function bestThreshold(scores: readonly ScoredPair[]): { threshold: number; accuracy: number } {
  const sorted = [...scores].sort((x, y) => x.score - y.score);
  // Threshold above every score: nothing accepted, so exactly the different pairs are right.
  let right = sorted.filter((s) => !s.same).length;
  let best = { threshold: sorted.length ? sorted[sorted.length - 1].score : 0, accuracy: sorted.length ? right / sorted.length : 0 };
  // Walk the threshold down from the top: each step accepts one more pair.
  for (let i = sorted.length - 1; i >= 0; i--) {
    right += sorted[i].same ? 1 : -1;
    if (i > 0 && sorted[i - 1].score === sorted[i].score) continue;
    const threshold = i > 0 ? (sorted[i - 1].score + sorted[i].score) / 2 : sorted[0].score - 1e-6;
    const accuracy = right / sorted.length;
    if (accuracy > best.accuracy) best = { threshold, accuracy };
  }
  return best;
}

/** k-fold accuracy: fold of a pair = its index within its own label % k, so every fold is balanced. */
export function kFoldAccuracy(scores: readonly ScoredPair[], k = 10): { mean: number; std: number; thresholds: number[]; accuracies: number[] } {
  const counters = { same: 0, diff: 0 };
  const fold = scores.map((s) => (s.same ? counters.same++ : counters.diff++) % k);
  const accuracies: number[] = [];
  const thresholds: number[] = [];
  for (let f = 0; f < k; f++) {
    const { threshold } = bestThreshold(scores.filter((_, i) => fold[i] !== f));
    thresholds.push(threshold);
    accuracies.push(accuracyAt(scores.filter((_, i) => fold[i] === f), threshold));
  }
  const mean = accuracies.reduce((a, b) => a + b, 0) / k;
  const std = Math.sqrt(accuracies.reduce((a, b) => a + (b - mean) ** 2, 0) / k);
  return { mean, std, thresholds, accuracies };
}

/**
 * The lowest threshold whose false-accept rate on the different-person pairs is at most `far`
 * (pairs accepted when score > threshold), and the true-accept rate there.
 */
export function tarAtFar(scores: readonly ScoredPair[], far: number): { threshold: number; tar: number; far: number } {
  const diff = scores.filter((s) => !s.same).map((s) => s.score).sort((a, b) => b - a);
  const same = scores.filter((s) => s.same).map((s) => s.score);
  const allowed = Math.floor(far * diff.length);
  const threshold = diff.length ? diff[Math.min(allowed, diff.length - 1)] : 1;
  const fa = diff.filter((d) => d > threshold).length;
  return { threshold, tar: same.filter((s) => s > threshold).length / (same.length || 1), far: fa / (diff.length || 1) };
}

/** ROC AUC: the probability that a random same pair outscores a random different pair (ties count half). */
export function rocAuc(scores: readonly ScoredPair[]): number {
  const sorted = [...scores].sort((a, b) => a.score - b.score);
  let rankSum = 0, i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1].score === sorted[i].score) j++;
    const rank = (i + j) / 2 + 1;
    for (let m = i; m <= j; m++) if (sorted[m].same) rankSum += rank;
    i = j + 1;
  }
  const nPos = sorted.filter((s) => s.same).length, nNeg = sorted.length - nPos;
  return nPos && nNeg ? (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg) : 0;
}

export function meanScore(scores: readonly ScoredPair[], same: boolean): number {
  const xs = scores.filter((s) => s.same === same).map((s) => s.score);
  return xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
}
