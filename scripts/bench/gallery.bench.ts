// Gallery search time at 1k … 1M templates (synthetic unit vectors, one query): the gallery's search (from
// COARSE_MIN_ROWS rows an int8 SIMD scan, then exact rescoring) against two references measured in the same run:
// its own exact loop, and a straightforward one (one Float32Array per template, cosine with norms).
import { COARSE_MIN_ROWS, Gallery } from '../../ai-engine/src/matching/gallery.js';
import { timeIt, type BenchOptions, type BenchRow } from '../bench.js';

export const name = 'gallery';

const DIM = 128;

function randomUnit(seed: { s: number }): Float32Array {
  const v = new Float32Array(DIM);
  let n = 0;
  for (let i = 0; i < DIM; i++) {
    seed.s = (seed.s * 1664525 + 1013904223) >>> 0; // LCG: deterministic, fast
    v[i] = seed.s / 2 ** 32 - 0.5;
    n += v[i] * v[i];
  }
  n = Math.sqrt(n);
  for (let i = 0; i < DIM; i++) v[i] /= n;
  return v;
}

function referenceSearch(rows: Array<{ studentId: number; vector: Float32Array }>, q: Float32Array): number {
  let best = -Infinity;
  let bestId = -1;
  for (const r of rows) {
    let dot = 0, na = 0, nb = 0;
    for (let i = 0; i < DIM; i++) { dot += r.vector[i] * q[i]; na += r.vector[i] ** 2; nb += q[i] ** 2; }
    const c = dot / Math.sqrt(na * nb);
    if (c > best) { best = c; bestId = r.studentId; }
  }
  return bestId;
}

export async function run(opts: BenchOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const seed = { s: 42 };
  for (const size of [1_000, 10_000, 100_000, 1_000_000]) {
    opts.log(`  ${size} templates`);
    const entries = Array.from({ length: size }, (_, i) => ({ studentId: Math.floor(i / 3), vector: randomUnit(seed) }));
    const g = new Gallery(DIM, size);
    g.load(entries);
    const q = randomUnit(seed);
    const same = JSON.stringify(g.search(q, 3)) === JSON.stringify(g.exactSearch(q, 3));
    const ours = await timeIt(() => g.search(q, 3), opts.seconds, { minRuns: 3, warmup: 1 });
    const exact = await timeIt(() => g.exactSearch(q, 3), opts.seconds, { minRuns: 3, warmup: 1 });
    const ref = await timeIt(() => referenceSearch(entries, q), opts.seconds, { minRuns: 3, warmup: 1 });
    rows.push({
      templates: size, 'search median ms': ours.median, 'search p95 ms': ours.p95,
      'exact loop median ms': exact.median, 'ours/exact loop': ours.median / exact.median,
      'reference median ms': ref.median, 'ours/reference': ours.median / ref.median,
      'same answer as exact': same ? 'yes' : 'NO',
      // float rows + the int8 copy (with its per-row scale and bound share) from the two-stage size up
      'memory MB': (size * DIM * (4 + (size >= COARSE_MIN_ROWS ? 1 : 0)) + (size >= COARSE_MIN_ROWS ? size * 16 : 0)) / 2 ** 20,
    });
  }
  return rows;
}
