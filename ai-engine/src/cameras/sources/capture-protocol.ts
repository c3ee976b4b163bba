/** Messages between a camera loop and its capture process. */
export type ToCapture = { type: 'pull' } | { type: 'close' };
export type FromCapture =
  | { type: 'opened'; width: number; height: number; fps: number }
  | { type: 'frame'; data: Uint8Array; rows: number; cols: number; seq: number; at: number }
  | { type: 'ended' }
  | { type: 'error'; message: string; fatal: boolean };
