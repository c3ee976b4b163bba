/**
 * Shared memory for model pixels: the engine's thread copies an image straight into it (vision/mat-pixels.ts)
 * and an inference worker reads it there, so a model run allocates no frame-sized buffer on either thread.
 * Every ArrayBuffer the engine's thread allocates counts towards V8's external memory, and at ~60 requests/s
 * the 900 KB copies of each frame started a full (mark-compact) collection about twice a second: 48 in 20 s
 * of POST /recognize at 4 connections, about 7% of the machine's CPU.
 * Buffers are kept per size (a camera's or a client's frames keep their size), a few of each.
 */
import type { PixelLease } from '../vision/model-input.js';

/** Sizes remembered (the oldest is forgotten first) and buffers kept per size. */
const MAX_SIZES = 16;
const PER_SIZE = 8;

export class SharedPixels {
  private readonly free = new Map<number, SharedArrayBuffer[]>();

  /** `byteLength` bytes of shared memory until `release()` (which is idempotent). */
  lease(byteLength: number): PixelLease {
    const memory = this.free.get(byteLength)?.pop() ?? new SharedArrayBuffer(byteLength);
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
    let list = this.free.get(memory.byteLength);
    if (!list) {
      if (this.free.size >= MAX_SIZES) this.free.delete(this.free.keys().next().value as number);
      list = [];
      this.free.set(memory.byteLength, list);
    }
    if (list.length < PER_SIZE) list.push(memory);
  }
}
