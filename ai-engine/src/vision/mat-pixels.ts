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
  const shape = { kind: 'pixels', width: first.cols, height: first.rows, norm } as const;
  if (model?.lease) {
    const memory = model.lease(images.length * first.rows * first.cols * 3);
    try {
      images.forEach((m, i) => copyInto(m, memory.bytes, i));
    } catch (e) {
      memory.release();
      throw e;
    }
    return { ...shape, bytes: memory.bytes, lease: memory };
  }
  const parts = images.map(bytesOf);
  return { ...shape, bytes: parts.length === 1 ? parts[0] : Buffer.concat(parts) };
}

/** Copies image `index` of a batch into `bytes` through a Mat header over that memory (no buffer in between). */
function copyInto(image: Mat, bytes: Uint8Array, index: number): void {
  const size = image.rows * image.cols * 3;
  const target = new cv.Mat(image.rows, image.cols, cv.CV_8UC3, Buffer.from(bytes.buffer, bytes.byteOffset + index * size, size));
  // copyTo writes into the target's memory (same size and type) and returns another header over it.
  image.copyTo(target).release();
  target.release();
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
