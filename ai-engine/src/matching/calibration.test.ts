import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CALIBRATION_FLOORS, Calibration, estimatedFpir, fitTail, galleryImpostorHistogram, thresholdFor } from './calibration.js';
import { Gallery } from './gallery.js';

const FLOOR = CALIBRATION_FLOORS.mean2;

/** Seeded unit vectors around a common direction: `spread` small = a population of look-alikes. */
function population(students: number, perStudent: number, spread: number, seed = 1): Gallery {
  let s = seed;
  const rand = () => { s = (s * 1103515245 + 12345) % 2 ** 31; return s / 2 ** 31 - 0.5; };
  const g = new Gallery(128, 16);
  const entries = [];
  for (let id = 1; id <= students; id++) {
    const person = Float32Array.from({ length: 128 }, (_, i) => (i === 0 ? 1 : 0) + spread * rand());
    for (let t = 0; t < perStudent; t++) {
      const v = person.map((x) => x + 0.02 * rand());
      const n = Math.hypot(...v);
      entries.push({ studentId: id, vector: v.map((x) => x / n) });
    }
  }
  g.load(entries);
  return g;
}

test('the threshold grows with the set searched, and gives back the target FPIR', () => {
  const school = thresholdFor(FLOOR, 0.001, 1000);
  const roster = thresholdFor(FLOOR, 0.001, 30);
  assert.ok(school > roster + 0.05, `${school} vs ${roster}`);
  for (const n of [30, 1000, 100_000]) {
    const t = thresholdFor(FLOOR, 0.003, n);
    assert.ok(Math.abs(estimatedFpir(FLOOR, t, n) - 0.003) < 1e-4, `n=${n}`);
  }
});

test('the tail fit finds the top-1% quantile and the exponential scale of the scores', () => {
  // Exponential scores above 0.2 with scale 0.05 for the top 1%, the rest spread below.
  const hist = new Uint32Array(2001);
  let seed = 7;
  const rand = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return (seed + 0.5) / 2 ** 31; };
  for (let i = 0; i < 99_000; i++) hist[Math.round((rand() * 0.39 - 0.2 + 1) / 0.001)]++;
  for (let i = 0; i < 1_000; i++) hist[Math.round((0.2 - 0.05 * Math.log(rand()) + 1) / 0.001)]++;
  const tail = fitTail(hist, 0.01)!;
  assert.ok(Math.abs(tail.at - 0.2) < 0.01, JSON.stringify(tail));
  assert.ok(Math.abs(tail.scale - 0.05) < 0.006, JSON.stringify(tail));
  // The default fits the top 0.1%: the same exponential (memoryless), from 0.2 + 0.05·ln 10.
  const top = fitTail(hist)!;
  assert.ok(Math.abs(top.at - 0.315) < 0.02 && Math.abs(top.scale - 0.05) < 0.015, JSON.stringify(top));
  assert.equal(fitTail(new Uint32Array(2001).fill(0, 0)), null, 'no scores, no fit');
});

test('a small gallery uses the calibration floor; a school of look-alikes raises the threshold on its own scores', async () => {
  const small = new Calibration(population(3, 2, 0.2), { targetFpir: 0.001 });
  await small.refresh();
  assert.equal(small.point().source, 'calibration');
  assert.equal(small.point().galleryTail, null);

  const alike = population(150, 3, 0.12);
  const hist = await galleryImpostorHistogram(alike);
  assert.equal(hist.reduce((a, b) => a + b, 0), 150 * 3 * 149, 'every template against every other student');
  const cal = new Calibration(alike, { targetFpir: 0.001 });
  await cal.refresh();
  const p = cal.point();
  assert.equal(p.source, 'gallery');
  assert.ok(p.threshold > thresholdFor(FLOOR, 0.001, 150), JSON.stringify(p));
  assert.ok(cal.point(30).threshold < p.threshold, 'a roster of 30 needs less');

  const fixed = new Calibration(alike, { targetFpir: 0.001, fixedThreshold: 0.4 });
  assert.deepEqual([fixed.point().source, fixed.point().threshold], ['fixed', 0.4]);
  assert.ok(fixed.point().estimatedFpir > 0.001, 'the estimate tells what a fixed threshold costs');
});
