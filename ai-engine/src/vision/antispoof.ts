/**
 * Passive anti-spoofing: MiniFASNetV2 (Silent-Face) on the face box scaled 2.7× about its centre,
 * resized to 80×80, BGR, 0–255 without normalisation; softmax over 3 classes, class 1 = real.
 * The model takes a dynamic batch, so all faces of a frame go through in one run.
 */
import { cv, type Mat } from './opencv.js';
import { pixelInput } from './mat-pixels.js';
import { RAW_BGR } from './model-input.js';
import { loadModel, outputData, type OnnxModel, type SessionConfig } from './onnx-session.js';
import type { DetectedFace } from './types.js';

export const ANTISPOOF_FILE = 'minifasnetv2_2.7_80x80.onnx';
export const ANTISPOOF_SCALE = 2.7;
const SIZE = 80;

/**
 * Silent-Face's `_get_new_box`: the box scaled about its centre, the scale capped so the crop fits
 * the image, then shifted (not shrunk) back inside. Returns integer x, y, width, height.
 */
export function spoofCrop(box: DetectedFace['box'], imageWidth: number, imageHeight: number, scale = ANTISPOOF_SCALE): [number, number, number, number] {
  const [x, y, w, h] = box;
  const s = Math.min((imageHeight - 1) / h, (imageWidth - 1) / w, scale);
  const nw = w * s, nh = h * s;
  const cx = x + w / 2, cy = y + h / 2;
  let x1 = cx - nw / 2, y1 = cy - nh / 2, x2 = cx + nw / 2, y2 = cy + nh / 2;
  if (x1 < 0) { x2 -= x1; x1 = 0; }
  if (y1 < 0) { y2 -= y1; y1 = 0; }
  if (x2 > imageWidth - 1) { x1 -= x2 - imageWidth + 1; x2 = imageWidth - 1; }
  if (y2 > imageHeight - 1) { y1 -= y2 - imageHeight + 1; y2 = imageHeight - 1; }
  const left = Math.max(0, Math.trunc(x1)), top = Math.max(0, Math.trunc(y1));
  // Silent-Face slices [top, bottom] inclusive.
  const right = Math.min(imageWidth, Math.trunc(x2) + 1), bottom = Math.min(imageHeight, Math.trunc(y2) + 1);
  return [left, top, Math.max(1, right - left), Math.max(1, bottom - top)];
}

export function softmax(logits: ArrayLike<number>): number[] {
  const max = Math.max(...Array.from(logits));
  const e = Array.from(logits, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

export class AntiSpoof {
  private constructor(private readonly model: OnnxModel) {}

  static async load(modelsDir: string, session: SessionConfig): Promise<AntiSpoof> {
    // 33 PReLUs: rewritten at load, 2.2× faster (onnx-rewrite.ts).
    return new AntiSpoof(await loadModel(modelsDir, ANTISPOOF_FILE, { ...session, rewrite: true }));
  }

  /** P(real) for each face, in the order given. */
  async score(image: Mat, faces: readonly DetectedFace[]): Promise<number[]> {
    if (!faces.length) return [];
    const crops = faces.map((f) => {
      const [x, y, w, h] = spoofCrop(f.box, image.cols, image.rows);
      // The region is a view that keeps the whole frame alive until released.
      const region = image.getRegion(new cv.Rect(x, y, w, h));
      const crop = region.resize(SIZE, SIZE, 0, 0, cv.INTER_LINEAR);
      region.release();
      return crop;
    });
    let input;
    try {
      input = pixelInput(crops, RAW_BGR, this.model);
    } finally {
      for (const crop of crops) crop.release();
    }
    const logits = outputData(await this.model.run(input, [faces.length, 3, SIZE, SIZE]), this.model.outputNames[0]);
    return faces.map((_, i) => softmax(logits.subarray(i * 3, i * 3 + 3))[1]);
  }

  close(): Promise<void> { return this.model.close(); }
}
