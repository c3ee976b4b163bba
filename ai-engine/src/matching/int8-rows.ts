import { INT8_DOT_WASM } from './int8-dot.wasm.js';

/**
 * An int8 copy of the gallery's rows in WebAssembly memory, scanned with SIMD (int8-dot.wat): a quarter of
 * the float rows' bytes and sixteen values per step, where a 1M-template search is bound by memory bandwidth.
 *
 * Each row is quantised on its own scale (`x ≈ scale · x̃`, x̃ in [-127, 127]) and the query on its own
 * (`q ≈ s · q̃`). The error of `s · scale · (q̃ · x̃)` against `q · x` is at most
 * `s · scale · (½‖q̃‖₁ + ½‖x̃‖₁ + ¼·dim)` (each value is off by at most half a step), so the scan gives every
 * row an interval that surely holds its exact score: the gallery then rescores exactly only the students
 * whose interval reaches the k-th best lower end, and the answer is the exact search's.
 */
export class Int8Rows {
  /** Bytes 0…QUERY_BYTES hold the int16 query; rows follow; the int32 results after the rows' capacity. */
  private static readonly QUERY_BYTES = 4096;
  private readonly memory: WebAssembly.Memory;
  private readonly dotsFn: (queryAt: number, rowsAt: number, rows: number, dim: number, outAt: number) => void;
  private capacity = 0;
  /** Per row: its scale, and ½ · scale · ‖x̃‖₁ (the row's share of the error bound). */
  private scales = new Float64Array(0);
  private halfL1 = new Float64Array(0);

  private constructor(readonly dim: number, instance: WebAssembly.Instance) {
    this.memory = instance.exports.memory as WebAssembly.Memory;
    this.dotsFn = instance.exports.dots as Int8Rows['dotsFn'];
  }

  /** Null where WebAssembly SIMD is unavailable (the gallery then scans the float rows only). */
  static create(dim: number, capacity: number): Int8Rows | null {
    if (dim % 16 || dim * 2 > Int8Rows.QUERY_BYTES) return null;
    try {
      const module = new WebAssembly.Module(Buffer.from(INT8_DOT_WASM, 'base64'));
      const rows = new Int8Rows(dim, new WebAssembly.Instance(module, {}));
      rows.ensure(capacity);
      return rows;
    } catch {
      return null;
    }
  }

  ensure(capacity: number): void {
    if (capacity <= this.capacity) return;
    const needed = Int8Rows.QUERY_BYTES + capacity * this.dim + capacity * 4;
    const pages = Math.ceil(needed / 65536) - this.memory.buffer.byteLength / 65536;
    if (pages > 0) this.memory.grow(pages);
    const scales = new Float64Array(capacity);
    scales.set(this.scales);
    const halfL1 = new Float64Array(capacity);
    halfL1.set(this.halfL1);
    this.scales = scales;
    this.halfL1 = halfL1;
    this.capacity = capacity;
  }

  /** Quantises `vector` into row `row`. */
  set(row: number, vector: ArrayLike<number>): void {
    const { dim } = this;
    let max = 0;
    for (let i = 0; i < dim; i++) max = Math.max(max, Math.abs(vector[i]));
    const scale = max / 127 || 1;
    const out = new Int8Array(this.memory.buffer, this.rowAt(row), dim);
    let l1 = 0;
    for (let i = 0; i < dim; i++) {
      const v = Math.max(-127, Math.min(127, Math.round(vector[i] / scale)));
      out[i] = v;
      l1 += Math.abs(v);
    }
    this.scales[row] = scale;
    this.halfL1[row] = 0.5 * scale * l1;
  }

  /** Row `from` → row `to` (the gallery compacting after a removal). */
  copy(from: number, to: number): void {
    new Uint8Array(this.memory.buffer).copyWithin(this.rowAt(to), this.rowAt(from), this.rowAt(from) + this.dim);
    this.scales[to] = this.scales[from];
    this.halfL1[to] = this.halfL1[from];
  }

  /**
   * Approximate scores of rows 0…rows-1 for `query` into `approx`, and the half-width of each one's
   * interval into `bound` (both at least `rows` long).
   */
  scan(query: Float32Array, rows: number, approx: Float64Array, bound: Float64Array): void {
    const { dim } = this;
    let max = 0;
    for (let i = 0; i < dim; i++) max = Math.max(max, Math.abs(query[i]));
    const s = max / 127 || 1;
    const q = new Int16Array(this.memory.buffer, 0, dim);
    let l1 = 0;
    for (let i = 0; i < dim; i++) {
      q[i] = Math.max(-127, Math.min(127, Math.round(query[i] / s)));
      l1 += Math.abs(q[i]);
    }
    const outAt = this.rowAt(this.capacity);
    this.dotsFn(0, this.rowAt(0), rows, dim, outAt);
    const dots = new Int32Array(this.memory.buffer, outAt, rows);
    const queryShare = 0.5 * l1 + 0.25 * dim;
    const { scales, halfL1 } = this;
    for (let r = 0; r < rows; r++) {
      approx[r] = s * scales[r] * dots[r];
      // The bound, widened by a hair for the rounding of the float arithmetic that computes it.
      bound[r] = s * (scales[r] * queryShare + halfL1[r]) * (1 + 1e-9) + 1e-12;
    }
  }

  private rowAt(row: number): number { return Int8Rows.QUERY_BYTES + row * this.dim; }
}
