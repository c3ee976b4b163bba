/**
 * The in-memory face gallery: every template as one row of a contiguous Float32Array, with the
 * student id of each row. Search is a tight dot-product loop over normalised vectors (cosine).
 * Rows of one student are always kept together (a "run"), so a student's score is formed as the loop
 * leaves the run, and patching a student is a splice, not a rebuild.
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

export class Gallery {
  private data: Float32Array;
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
    // The k best students so far, best first; k is tiny, so arrays beat any heap or map.
    const ids: number[] = [];
    const sims: number[] = [];
    this.scan(query, allow, (owner, score) => {
      if (ids.length === k && score <= sims[k - 1]) return;
      let at = sims.findIndex((s) => score > s);
      if (at < 0) at = sims.length;
      ids.splice(at, 0, owner);
      sims.splice(at, 0, score);
      if (ids.length > k) { ids.pop(); sims.pop(); }
    });
    return ids.map((studentId, i) => ({ studentId, similarity: sims[i] }));
  }

  /** Calls `visit` once per student (in `allow`, when given) with its score for the query. */
  scan(query: Float32Array, allow: ReadonlySet<number> | undefined, visit: (studentId: number, score: number) => void): void {
    if (query.length !== this.dim) throw new RangeError(`query has ${query.length} values, gallery ${this.dim}`);
    const { data, owners, dim, scoring } = this;
    for (let r = 0; r < this.rows;) {
      const owner = owners[r];
      const end = this.runEnd(r);
      if (allow && !allow.has(owner)) { r = end; continue; }
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
      const score = scoring === 'max' ? best
        : scoring === 'mean2' ? (second === -Infinity ? best : (best + second) / 2)
          : sum * this.sumNorms[r - 1];
      visit(owner, score);
    }
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
  }
}
