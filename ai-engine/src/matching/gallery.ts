import { Int8Rows } from './int8-rows.js';

/**
 * The in-memory face gallery: every template as one row of a contiguous Float32Array, with the
 * student id of each row. Search is a tight dot-product loop over normalised vectors (cosine).
 * Rows of one student are always kept together (a "run"), so a student's score is formed as the loop
 * leaves the run, and patching a student is a splice, not a rebuild.
 *
 * A large gallery (from COARSE_MIN_ROWS rows) is searched in two stages with the same answer: a SIMD scan of
 * an int8 copy gives each student an interval that surely holds its exact score (int8-rows.ts), and only
 * the students whose interval reaches the k-th best lower end are scored exactly, by the same loop.
 */
export interface GalleryEntry { studentId: number; vector: Float32Array }
export interface StudentScore { studentId: number; similarity: number }

/**
 * How a student's score is formed from its templates (measured with `npm run eval -- --open-set`, README):
 * - `max`: the best single template;
 * - `mean2`: the mean of the best two (the best alone when there is one);
 * - `centroid`: cosine with the normalised mean of the templates.
 */
export type StudentScoring = 'max' | 'mean2' | 'centroid';
export const STUDENT_SCORINGS: readonly StudentScoring[] = ['max', 'mean2', 'centroid'];

/** Below this many rows the exact loop alone is as fast (measured with `npm run bench -- --only gallery`). */
export const COARSE_MIN_ROWS = 4096;

export class Gallery {
  private data: Float32Array;
  /** The int8 copy for the coarse scan; null without WebAssembly SIMD. */
  private readonly coarse: Int8Rows | null;
  /** Scratch of the coarse search, grown with the gallery: per row, then per student run. */
  private approx = new Float64Array(0);
  private bound = new Float64Array(0);
  private runStarts = new Int32Array(0);
  private runUppers = new Float64Array(0);
  private owners: Int32Array;
  /** 1 / |sum of the student's templates|, on every row of the student (the centroid score needs it). */
  private sumNorms: Float32Array;
  private rows = 0;
  private students = 0;
  private changes = 0;

  constructor(readonly dim = 128, capacity = 1024, readonly scoring: StudentScoring = 'max') {
    if (dim % 4) throw new RangeError('dimension must be a multiple of 4 (the search loop is unrolled by 4)');
    this.data = new Float32Array(capacity * dim);
    this.owners = new Int32Array(capacity);
    this.sumNorms = new Float32Array(capacity);
    this.coarse = Int8Rows.create(dim, capacity);
  }

  get size(): number { return this.rows; }

  get studentCount(): number { return this.students; }

  /** Goes up on every change: whoever derives figures from the gallery (calibration) knows when they are stale. */
  get version(): number { return this.changes; }

  /** Replaces everything (start-up, full reload). */
  load(entries: GalleryEntry[]): void {
    this.rows = 0;
    this.students = 0;
    this.ensure(entries.length);
    const byStudent = new Map<number, Float32Array[]>();
    for (const e of entries) (byStudent.get(e.studentId) ?? byStudent.set(e.studentId, []).get(e.studentId)!).push(e.vector);
    for (const [studentId, vectors] of byStudent) this.appendStudent(studentId, vectors);
    this.changes++;
  }

  /** Replaces one student's rows (enrolled again, templates deleted: pass []). */
  setStudent(studentId: number, vectors: Float32Array[]): void {
    this.removeStudent(studentId);
    this.ensure(this.rows + vectors.length);
    this.appendStudent(studentId, vectors);
    this.changes++;
  }

  removeStudent(studentId: number): void {
    let w = 0;
    let removed = false;
    for (let r = 0; r < this.rows; r++) {
      if (this.owners[r] === studentId) { removed = true; continue; }
      if (w !== r) {
        this.owners[w] = this.owners[r];
        this.sumNorms[w] = this.sumNorms[r];
        this.data.copyWithin(w * this.dim, r * this.dim, (r + 1) * this.dim);
        this.coarse?.copy(r, w);
      }
      w++;
    }
    this.rows = w;
    if (removed) { this.students--; this.changes++; }
  }

  /** The templates of one student (copies), e.g. to check that new photos are of the same person. */
  templatesOf(studentId: number): Float32Array[] {
    const out: Float32Array[] = [];
    for (let r = 0; r < this.rows; r++) if (this.owners[r] === studentId) out.push(this.data.slice(r * this.dim, (r + 1) * this.dim));
    return out;
  }

  /** Every student's ids and templates, run by run (calibration uses them as probes). */
  *runs(): Generator<{ studentId: number; vectors: Float32Array[] }> {
    for (let r = 0; r < this.rows;) {
      const studentId = this.owners[r];
      const vectors: Float32Array[] = [];
      for (; r < this.rows && this.owners[r] === studentId; r++) vectors.push(this.data.subarray(r * this.dim, (r + 1) * this.dim));
      yield { studentId, vectors };
    }
  }

  /**
   * The best `k` students for a query (per-student score by `scoring`), highest first.
   * `allow`, when given, restricts the search to those students (a class roster).
   */
  search(query: Float32Array, k = 2, allow?: ReadonlySet<number>): StudentScore[] {
    if (query.length !== this.dim) throw new RangeError(`query has ${query.length} values, gallery ${this.dim}`);
    if (this.coarse && this.rows >= COARSE_MIN_ROWS) return this.coarseSearch(this.coarse, query, k, allow);
    return this.exactSearch(query, k, allow);
  }

  /** The search by the exact loop alone (the reference the two-stage search must equal). */
  exactSearch(query: Float32Array, k = 2, allow?: ReadonlySet<number>): StudentScore[] {
    const top = new TopK(k);
    this.scan(query, allow, (owner, score) => top.offer(owner, score));
    return top.result();
  }

  /** Calls `visit` once per student (in `allow`, when given) with its score for the query. */
  scan(query: Float32Array, allow: ReadonlySet<number> | undefined, visit: (studentId: number, score: number) => void): void {
    if (query.length !== this.dim) throw new RangeError(`query has ${query.length} values, gallery ${this.dim}`);
    for (let r = 0; r < this.rows;) {
      const owner = this.owners[r];
      const end = this.runEnd(r);
      if (!allow || allow.has(owner)) visit(owner, this.scoreRun(query, r, end));
      r = end;
    }
  }

  /**
   * Stage one scores every student by an interval from the int8 scan, applying the scoring rule to the rows'
   * lower ends and to their upper ends (every rule is monotone in each row's score); stage two scores exactly
   * the students whose upper end reaches the k-th best lower end, which surely includes the true best k.
   */
  private coarseSearch(coarse: Int8Rows, query: Float32Array, k: number, allow?: ReadonlySet<number>): StudentScore[] {
    if (this.approx.length < this.rows) {
      this.approx = new Float64Array(this.owners.length);
      this.bound = new Float64Array(this.owners.length);
      this.runStarts = new Int32Array(this.owners.length);
      this.runUppers = new Float64Array(this.owners.length);
    }
    const { approx, bound, owners, sumNorms, scoring, runStarts, runUppers } = this;
    const rows = this.rows;
    coarse.scan(query, rows, approx, bound);
    // One pass over the rows, student run by student run, with no call per row (a 1M-row gallery).
    const lowers = new Float64Array(k).fill(-Infinity); // the k best lower ends, best first
    let runs = 0;
    for (let r = 0; r < rows;) {
      const owner = owners[r];
      const start = r;
      if (allow && !allow.has(owner)) {
        do r++; while (r < rows && owners[r] === owner);
        continue;
      }
      let lo1 = -Infinity, lo2 = -Infinity, loSum = 0, hi1 = -Infinity, hi2 = -Infinity, hiSum = 0;
      do {
        const lo = approx[r] - bound[r];
        const hi = approx[r] + bound[r];
        loSum += lo;
        hiSum += hi;
        if (lo > lo1) { lo2 = lo1; lo1 = lo; } else if (lo > lo2) lo2 = lo;
        if (hi > hi1) { hi2 = hi1; hi1 = hi; } else if (hi > hi2) hi2 = hi;
        r++;
      } while (r < rows && owners[r] === owner);
      const lower = studentScore(scoring, lo1, lo2, loSum, sumNorms[r - 1]);
      if (lower > lowers[k - 1]) {
        let at = k - 1;
        for (; at > 0 && lower > lowers[at - 1]; at--) lowers[at] = lowers[at - 1];
        lowers[at] = lower;
      }
      runStarts[runs] = start;
      runUppers[runs++] = studentScore(scoring, hi1, hi2, hiSum, sumNorms[r - 1]);
    }
    const floor = lowers[k - 1];
    const top = new TopK(k);
    for (let i = 0; i < runs; i++) {
      if (runUppers[i] < floor) continue;
      const start = runStarts[i];
      top.offer(owners[start], this.scoreRun(query, start, this.runEnd(start)));
    }
    return top.result();
  }

  /** A student's exact score: its rows `r`…`end`-1 against the query, by the scoring rule. */
  private scoreRun(query: Float32Array, r: number, end: number): number {
    const { data, dim, scoring } = this;
    let best = -Infinity, second = -Infinity, sum = 0;
    for (; r < end; r++) {
      const base = r * dim;
      let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
      for (let i = 0; i < dim; i += 4) {
        d0 += data[base + i] * query[i];
        d1 += data[base + i + 1] * query[i + 1];
        d2 += data[base + i + 2] * query[i + 2];
        d3 += data[base + i + 3] * query[i + 3];
      }
      const dot = d0 + d1 + d2 + d3;
      sum += dot;
      if (dot > best) { second = best; best = dot; } else if (dot > second) second = dot;
    }
    return studentScore(scoring, best, second, sum, this.sumNorms[end - 1]);
  }

  private runEnd(r: number): number {
    const owner = this.owners[r];
    let e = r + 1;
    while (e < this.rows && this.owners[e] === owner) e++;
    return e;
  }

  private appendStudent(studentId: number, vectors: Float32Array[]): void {
    if (!vectors.length) return;
    const sum = new Float64Array(this.dim);
    for (const v of vectors) {
      if (v.length !== this.dim) throw new RangeError(`template has ${v.length} values, gallery ${this.dim}`);
      for (let i = 0; i < this.dim; i++) sum[i] += v[i];
    }
    const inv = 1 / (Math.hypot(...sum) || 1);
    for (const v of vectors) {
      this.data.set(v, this.rows * this.dim);
      this.coarse?.set(this.rows, v);
      this.owners[this.rows] = studentId;
      this.sumNorms[this.rows] = inv;
      this.rows++;
    }
    this.students++;
  }

  private ensure(rows: number): void {
    if (rows <= this.owners.length) return;
    const capacity = Math.max(rows, this.owners.length * 2);
    const data = new Float32Array(capacity * this.dim);
    data.set(this.data.subarray(0, this.rows * this.dim));
    const owners = new Int32Array(capacity);
    owners.set(this.owners.subarray(0, this.rows));
    const sumNorms = new Float32Array(capacity);
    sumNorms.set(this.sumNorms.subarray(0, this.rows));
    this.data = data;
    this.owners = owners;
    this.sumNorms = sumNorms;
    this.coarse?.ensure(capacity);
  }
}

/** A student's score from its rows' best, second best and sum of scores (`norm`: 1 / |sum of its templates|). */
function studentScore(scoring: StudentScoring, best: number, second: number, sum: number, norm: number): number {
  return scoring === 'max' ? best : scoring === 'mean2' ? (second === -Infinity ? best : (best + second) / 2) : sum * norm;
}

/** The best `k` (id, score) pairs offered, best first; k is tiny, so arrays beat any heap or map. */
class TopK {
  private readonly ids: number[] = [];
  private readonly scores: number[] = [];

  constructor(private readonly k: number) {}

  offer(id: number, score: number): void {
    const { ids, scores, k } = this;
    if (ids.length === k && score <= scores[k - 1]) return;
    let at = scores.findIndex((s) => score > s);
    if (at < 0) at = scores.length;
    ids.splice(at, 0, id);
    scores.splice(at, 0, score);
    if (ids.length > k) { ids.pop(); scores.pop(); }
  }

  /** The k-th best score so far; -Infinity until k were offered. */
  kthScore(): number { return this.ids.length === this.k ? this.scores[this.k - 1] : -Infinity; }

  result(): StudentScore[] { return this.ids.map((studentId, i) => ({ studentId, similarity: this.scores[i] })); }
}
