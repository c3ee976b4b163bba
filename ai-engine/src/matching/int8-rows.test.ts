import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COARSE_MIN_ROWS, Gallery, STUDENT_SCORINGS, type GalleryEntry } from './gallery.js';
import { INT8_DOT_WASM } from './int8-dot.wasm.js';
import { Int8Rows } from './int8-rows.js';

const DIM = 128;

/** Deterministic unit vectors; `near` gives one a small step away from `base` (a look-alike, another photo). */
function random(seed: { s: number }): () => number {
  return () => { seed.s = (seed.s * 1664525 + 1013904223) >>> 0; return seed.s / 2 ** 32 - 0.5; };
}
function unitVector(rnd: () => number, base?: Float32Array, step = 0.3): Float32Array {
  const v = new Float32Array(DIM);
  for (let i = 0; i < DIM; i++) v[i] = (base ? base[i] : 0) + (base ? step : 1) * rnd();
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

test('the committed kernel is what its .wat source compiles to (run `npm run build:wasm` after editing it)', async () => {
  const { compiledKernel } = await import('../../../scripts/build-wasm.mjs');
  assert.equal(await compiledKernel('INT8_DOT_WASM'), INT8_DOT_WASM);
});

test('the int8 scan puts every exact score inside its interval, and the interval is narrow', () => {
  const rnd = random({ s: 7 });
  const rows = 3000;
  const int8 = Int8Rows.create(DIM, 16);
  assert.ok(int8, 'WebAssembly SIMD is available on Node 20');
  const vectors = Array.from({ length: rows }, () => unitVector(rnd));
  vectors.forEach((v, r) => { int8.ensure(r + 1); int8.set(r, v); }); // grows the memory many times
  const approx = new Float64Array(rows);
  const bound = new Float64Array(rows);
  let widest = 0;
  for (let probe = 0; probe < 20; probe++) {
    const q = probe < 10 ? unitVector(rnd) : unitVector(rnd, vectors[probe], 0.05);
    int8.scan(q, rows, approx, bound);
    for (let r = 0; r < rows; r++) {
      let exact = 0;
      for (let i = 0; i < DIM; i++) exact += vectors[r][i] * q[i];
      assert.ok(Math.abs(approx[r] - exact) <= bound[r], `row ${r}: |${approx[r]} - ${exact}| > ${bound[r]}`);
      widest = Math.max(widest, bound[r]);
    }
  }
  assert.ok(widest < 0.05, `intervals stay narrow enough to prune (widest ${widest.toFixed(4)})`);
});

test('the two-stage search answers exactly what the exact loop answers, for every scoring, roster and change', () => {
  const rnd = random({ s: 11 });
  // Look-alike families: students whose templates are all near one face, so many scores tie closely.
  const families = Array.from({ length: 40 }, () => unitVector(rnd));
  const entries: GalleryEntry[] = [];
  for (let student = 1; entries.length < COARSE_MIN_ROWS + 2000; student++) {
    const family = families[student % families.length];
    const face = unitVector(rnd, family, 0.08);
    for (let t = 0; t < 1 + (student % 4); t++) entries.push({ studentId: student, vector: unitVector(rnd, face, 0.04) });
  }
  const students = entries.at(-1)!.studentId;
  for (const scoring of STUDENT_SCORINGS) {
    const g = new Gallery(DIM, 64, scoring);
    g.load(entries);
    assert.ok(g.size >= COARSE_MIN_ROWS, 'large enough for the two-stage search');
    const roster = new Set(Array.from({ length: 300 }, (_, i) => 1 + ((i * 37) % students)));
    const check = (label: string) => {
      for (let probe = 0; probe < 25; probe++) {
        const q = unitVector(rnd, families[probe % families.length], probe % 2 ? 0.05 : 0.12);
        for (const k of [1, 3]) {
          assert.deepEqual(g.search(q, k), g.exactSearch(q, k), `${scoring} ${label} k=${k} probe ${probe}`);
          assert.deepEqual(g.search(q, k, roster), g.exactSearch(q, k, roster), `${scoring} ${label} roster k=${k}`);
        }
      }
    };
    check('loaded');
    for (let s = 5; s < 60; s += 7) g.removeStudent(s);
    g.setStudent(3, [unitVector(rnd, families[0], 0.01), unitVector(rnd, families[0], 0.01)]);
    g.setStudent(students + 1, [unitVector(rnd, families[1], 0.01)]);
    check('after removals and patches');
  }
});
