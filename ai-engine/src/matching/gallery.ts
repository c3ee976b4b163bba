/**
 * The in-memory face gallery: every template as one row of a contiguous Float32Array, with the
 * student id of each row. Search is a tight dot-product loop over normalised vectors (cosine).
 * Rows of one student are kept together so patching a student is a splice, not a rebuild.
 */
export interface GalleryEntry { studentId: number; vector: Float32Array }
export interface StudentScore { studentId: number; similarity: number }

export class Gallery {
  private data: Float32Array;
  private owners: Int32Array;
  private rows = 0;

  constructor(readonly dim = 128, capacity = 1024) {
    if (dim % 4) throw new RangeError('dimension must be a multiple of 4 (the search loop is unrolled by 4)');
    this.data = new Float32Array(capacity * dim);
    this.owners = new Int32Array(capacity);
  }

  get size(): number { return this.rows; }

  get studentCount(): number { return new Set(this.owners.subarray(0, this.rows)).size; }

  /** Replaces everything (start-up, full reload). */
  load(entries: GalleryEntry[]): void {
    this.rows = 0;
    this.ensure(entries.length);
    for (const e of entries) this.append(e.studentId, e.vector);
  }

  /** Replaces one student's rows (enrolled again, templates deleted: pass []). */
  setStudent(studentId: number, vectors: Float32Array[]): void {
    this.removeStudent(studentId);
    this.ensure(this.rows + vectors.length);
    for (const v of vectors) this.append(studentId, v);
  }

  removeStudent(studentId: number): void {
    let w = 0;
    for (let r = 0; r < this.rows; r++) {
      if (this.owners[r] === studentId) continue;
      if (w !== r) {
        this.owners[w] = this.owners[r];
        this.data.copyWithin(w * this.dim, r * this.dim, (r + 1) * this.dim);
      }
      w++;
    }
    this.rows = w;
  }

  /**
   * The best `k` students for a query (per-student score = best of its templates), highest first.
   * `allow`, when given, restricts the search to those students (a class roster).
   */
  search(query: Float32Array, k = 2, allow?: ReadonlySet<number>): StudentScore[] {
    if (query.length !== this.dim) throw new RangeError(`query has ${query.length} values, gallery ${this.dim}`);
    // The k best students so far, best first; k is tiny, so arrays beat any heap or map.
    const ids: number[] = [];
    const sims: number[] = [];
    const { data, owners, dim } = this;
    for (let r = 0; r < this.rows; r++) {
      const owner = owners[r];
      if (allow && !allow.has(owner)) continue;
      const base = r * dim;
      let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
      for (let i = 0; i < dim; i += 4) {
        d0 += data[base + i] * query[i];
        d1 += data[base + i + 1] * query[i + 1];
        d2 += data[base + i + 2] * query[i + 2];
        d3 += data[base + i + 3] * query[i + 3];
      }
      const dot = d0 + d1 + d2 + d3;
      if (ids.length === k && dot <= sims[k - 1]) continue;
      const j = ids.indexOf(owner);
      if (j >= 0) {
        if (dot <= sims[j]) continue;
        ids.splice(j, 1);
        sims.splice(j, 1);
      }
      let at = sims.findIndex((s) => dot > s);
      if (at < 0) at = sims.length;
      ids.splice(at, 0, owner);
      sims.splice(at, 0, dot);
      if (ids.length > k) { ids.pop(); sims.pop(); }
    }
    return ids.map((studentId, i) => ({ studentId, similarity: sims[i] }));
  }

  private append(studentId: number, vector: Float32Array): void {
    if (vector.length !== this.dim) throw new RangeError(`template has ${vector.length} values, gallery ${this.dim}`);
    this.data.set(vector, this.rows * this.dim);
    this.owners[this.rows] = studentId;
    this.rows++;
  }

  private ensure(rows: number): void {
    if (rows <= this.owners.length) return;
    const capacity = Math.max(rows, this.owners.length * 2);
    const data = new Float32Array(capacity * this.dim);
    data.set(this.data.subarray(0, this.rows * this.dim));
    const owners = new Int32Array(capacity);
    owners.set(this.owners.subarray(0, this.rows));
    this.data = data;
    this.owners = owners;
  }
}
