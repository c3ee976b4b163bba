/**
 * Shared memory for model pixels: the engine's thread copies an image straight into it (vision/mat-pixels.ts)
 * and an inference worker reads it there, so a model run allocates no frame-sized buffer on either thread.
 * Every ArrayBuffer the engine's thread allocates counts towards V8's external memory, and at ~60 requests/s
 * the 900 KB copies of each frame started a full (mark-compact) collection about twice a second: 48 in 20 s
 * of POST /recognize at 4 connections, 8–10 % of the CPU samples in a profile.
 * Released buffers are kept per size (a camera's or a client's frames keep their size) up to MAX_KEPT_BYTES in
 * all, the sizes used longest ago given up first: uploads of many different sizes cannot make it hold more.
 */
import type { PixelLease } from '../vision/model-input.js';

/** About a dozen analyses' worth of frames, refinement windows and crops at 640×480. */
export const MAX_KEPT_BYTES = 16 * 1024 * 1024;

export class SharedPixels {
  /** Free buffers by size, in the order the sizes were last given back (oldest first). */
  private readonly free = new Map<number, SharedArrayBuffer[]>();
  private kept = 0;

  constructor(private readonly maxKeptBytes = MAX_KEPT_BYTES) {}

  /** Bytes held in free buffers (not counting leases in use). */
  get keptBytes(): number { return this.kept; }

  /** `byteLength` bytes of shared memory until `release()` (which is idempotent). */
  lease(byteLength: number): PixelLease {
    const reused = this.free.get(byteLength)?.pop();
    if (reused) this.kept -= byteLength;
    const memory = reused ?? new SharedArrayBuffer(byteLength);
    let held = true;
    return {
      bytes: new Uint8Array(memory),
      release: () => {
        if (!held) return;
        held = false;
        this.giveBack(memory);
      },
    };
  }

  private giveBack(memory: SharedArrayBuffer): void {
    const size = memory.byteLength;
    if (size > this.maxKeptBytes) return;
    const list = this.free.get(size) ?? [];
    this.free.delete(size);
    this.free.set(size, list); // now the most recently used size
    for (const [other, buffers] of this.free) {
      if (this.kept + size <= this.maxKeptBytes) break;
      while (buffers.length && this.kept + size > this.maxKeptBytes) { buffers.pop(); this.kept -= other; }
      if (!buffers.length && other !== size) this.free.delete(other);
    }
    list.push(memory);
    this.kept += size;
  }
}
