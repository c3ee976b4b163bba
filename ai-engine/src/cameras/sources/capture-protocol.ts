/** Messages between a camera loop and its capture worker. */
export type ToWorker = { type: 'pull' } | { type: 'close' };
export type FromWorker =
  | { type: 'opened'; width: number; height: number; fps: number }
  | { type: 'frame'; data: Uint8Array; rows: number; cols: number; seq: number; at: number }
  | { type: 'ended' }
  | { type: 'error'; message: string; fatal: boolean };
