/** Messages between a camera loop and its capture process (IPC); frames travel apart, on FRAME_FD. */
export type ToCapture = { type: 'pull' } | { type: 'close' };
export type FromCapture =
  | { type: 'opened'; width: number; height: number; fps: number }
  | { type: 'ended' }
  | { type: 'error'; message: string; fatal: boolean };

/**
 * Frames go over their own pipe, not the IPC channel: a header, then the BGR bytes. Node's IPC
 * serialises each message and, in the child, only writes while its event loop is free; with a blocking
 * RTSP read in between, a 900 KB frame took ~0.4 s to cross (2 fps analysed out of 12.5 read).
 */
export const FRAME_FD = 4;
/** seq (u32), rows (u32), cols (u32), byte length (u32), capture time in ms since the epoch (f64); little-endian. */
export const FRAME_HEADER_BYTES = 24;

export function frameHeader(seq: number, rows: number, cols: number, length: number, at: number): Buffer {
  const h = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  h.writeUInt32LE(seq, 0);
  h.writeUInt32LE(rows, 4);
  h.writeUInt32LE(cols, 8);
  h.writeUInt32LE(length, 12);
  h.writeDoubleLE(at, 16);
  return h;
}

export interface FrameHead { seq: number; rows: number; cols: number; length: number; at: number }

export function readFrameHeader(h: Buffer): FrameHead {
  return { seq: h.readUInt32LE(0), rows: h.readUInt32LE(4), cols: h.readUInt32LE(8), length: h.readUInt32LE(12), at: h.readDoubleLE(16) };
}

/**
 * Reassembles frames from the pipe's chunks: each payload is copied once (no concatenation of the whole
 * stream), and `onFrame` gets it whole. The payload is a view of one buffer reused from frame to frame
 * (a 640×480 frame is 900 KB; a new one per frame only fed the garbage collector): it is valid until the
 * next frame arrives, so a consumer copies what it keeps. The capture protocol sends a frame only when the
 * loop asks for one (at most one in the pipe), so that is after the loop has made its copy.
 */
export class FrameReader {
  private header = Buffer.alloc(FRAME_HEADER_BYTES);
  private headerFill = 0;
  private head: FrameHead | null = null;
  private payload: Buffer | null = null;
  private payloadFill = 0;
  private store = Buffer.alloc(0);

  constructor(private readonly onFrame: (head: FrameHead, data: Buffer) => void) {}

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (!this.head) {
        const n = Math.min(FRAME_HEADER_BYTES - this.headerFill, chunk.length - pos);
        chunk.copy(this.header, this.headerFill, pos, pos + n);
        this.headerFill += n;
        pos += n;
        if (this.headerFill < FRAME_HEADER_BYTES) return;
        this.head = readFrameHeader(this.header);
        this.headerFill = 0;
        if (this.store.length < this.head.length) this.store = Buffer.allocUnsafe(this.head.length);
        this.payload = this.store.subarray(0, this.head.length);
        this.payloadFill = 0;
      }
      const n = Math.min(this.head.length - this.payloadFill, chunk.length - pos);
      chunk.copy(this.payload!, this.payloadFill, pos, pos + n);
      this.payloadFill += n;
      pos += n;
      if (this.payloadFill === this.head.length) {
        const [head, data] = [this.head, this.payload!];
        this.head = null;
        this.payload = null;
        this.onFrame(head, data);
      }
    }
  }
}
