// Kept apart from model-input.ts: the inference workers import that module, and the OpenCV binding must
// never load in a worker thread (it is not context-aware).
import { RAW_BGR, type PixelInput, type PixelNorm } from './model-input.js';
import { cv, type Mat } from './opencv.js';

/**
 * 8-bit BGR images of one size as a model's pixel input, in order (a batch when there are several). The
 * bytes are copied out of the Mats here, so the caller may release them as soon as this returns.
 */
export function pixelInput(images: readonly Mat[], norm: PixelNorm = RAW_BGR): PixelInput {
  const [first] = images;
  if (!first || images.some((m) => m.type !== cv.CV_8UC3 || m.cols !== first.cols || m.rows !== first.rows)) {
    throw new Error('model pixels must be one or more 8-bit BGR images of one size');
  }
  const parts = images.map(bytesOf);
  return { kind: 'pixels', bytes: parts.length === 1 ? parts[0] : Buffer.concat(parts), width: first.cols, height: first.rows, norm };
}

/** The binding refuses getData on a view into a larger Mat (getRegion): such a view is copied first. */
function bytesOf(mat: Mat): Buffer {
  try {
    return mat.getData();
  } catch {
    const copy = mat.copy();
    try {
      return copy.getData();
    } finally {
      copy.release();
    }
  }
}
