// Kept apart from model-input.ts: the inference workers import that module, and the OpenCV binding must
// never load in a worker thread (it is not context-aware).
import { RAW_BGR, type PixelInput, type PixelLease, type PixelNorm } from './model-input.js';
import { cv, type Mat } from './opencv.js';

/**
 * 8-bit BGR images of one size as a model's pixel input, in order (a batch when there are several). The
 * bytes are copied out of the Mats here, so the caller may release them as soon as this returns: into
 * leased memory when the model offers it (OnnxModel.lease), else into a new buffer.
 */
export function pixelInput(images: readonly Mat[], norm: PixelNorm = RAW_BGR, model?: { lease?(byteLength: number): PixelLease }): PixelInput {
  const [first] = images;
  if (!first || images.some((m) => m.type !== cv.CV_8UC3 || m.cols !== first.cols || m.rows !== first.rows)) {
    throw new Error('model pixels must be one or more 8-bit BGR images of one size');
  }
  const byteLength = images.length * first.rows * first.cols * 3;
  const lease = model?.lease?.(byteLength);
  const bytes = lease?.bytes ?? Buffer.allocUnsafe(byteLength);
  try {
    images.forEach((m, i) => copyInto(m, bytes, i));
  } catch (e) {
    lease?.release();
    throw e;
  }
  return { bytes, width: first.cols, height: first.rows, norm, ...(lease ? { lease } : {}) };
}

/**
 * Copies image `index` of a batch into `bytes` through a Mat header over that memory: no buffer in between, and
 * a view into a larger Mat (getRegion) is copied row by row.
 */
function copyInto(image: Mat, bytes: Uint8Array, index: number): void {
  const size = image.rows * image.cols * 3;
  const target = new cv.Mat(image.rows, image.cols, cv.CV_8UC3, Buffer.from(bytes.buffer, bytes.byteOffset + index * size, size));
  // copyTo writes into the target's memory (same size and type) and returns another header over it.
  image.copyTo(target).release();
  target.release();
}
