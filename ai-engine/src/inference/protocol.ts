/** Messages between the inference pool and its worker threads. */
import type { PixelInput } from '../vision/model-input.js';

export type ToWorker =
  | { type: 'load'; key: number; file: string; threads: number }
  | { type: 'run'; id: number; key: number; input: PixelInput; dims: number[] }
  | { type: 'close' };

export type FromWorker =
  | { type: 'loaded'; key: number; inputName: string; outputNames: string[]; inputShape: (number | string)[] }
  | { type: 'load-failed'; key: number; message: string }
  | { type: 'result'; id: number; outputs: Record<string, Float32Array> }
  | { type: 'failed'; id: number; message: string };
