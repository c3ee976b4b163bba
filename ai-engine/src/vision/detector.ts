/**
 * YuNet face detector (libfacedetection): boxes, scores and 5 landmarks. Runs the dynamic-shape
 * model at the frame's own aspect ratio (sides padded up to multiples of 32); the fixed 640×640
 * file is the fallback when the dynamic one is absent. Decoding and NMS follow MODELS.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { cv, type Mat } from './opencv.js';
import { pixelInput } from './mat-pixels.js';
import { RAW_BGR, type PixelInput } from './model-input.js';
import { loadModel, outputData, type OnnxModel, type SessionConfig } from './onnx-session.js';
import type { DetectedFace } from './types.js';

export const YUNET_DYNAMIC_FILE = 'yunet_s_dynamic.onnx';
export const YUNET_FIXED_FILE = 'face_detection_yunet_2023mar.onnx';
const STRIDES = [8, 16, 32] as const;
/** IoU above which the weaker of two boxes is dropped (MODELS.md). */
export const NMS_IOU = 0.3;

export interface DetectorConfig {
  scoreThreshold: number;
  minFaceSize: number;
  /** Longer side of the detector input; frames are scaled down to it, never up. */
  maxSide: number;
  /** Detect again on a bordered copy when nothing is found (faces that fill the frame). */
  padRetry: boolean;
}

export interface InputPlan { scale: number; width: number; height: number; inWidth: number; inHeight: number }

/** Scaled size of the frame and the padded detector input (multiples of 32, or the fixed square). */
export function planInput(width: number, height: number, maxSide: number, fixedSize?: number): InputPlan {
  if (fixedSize) {
    // Never scaled up, like the dynamic model, so a face keeps the size the caller chose (refinement).
    const scale = Math.min(1, fixedSize / width, fixedSize / height);
    return { scale, width: Math.min(fixedSize, Math.round(width * scale)), height: Math.min(fixedSize, Math.round(height * scale)), inWidth: fixedSize, inHeight: fixedSize };
  }
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  return { scale, width: w, height: h, inWidth: Math.ceil(w / 32) * 32, inHeight: Math.ceil(h / 32) * 32 };
}

/** Candidates above the threshold, in detector-input pixels. `out` maps output names (cls_8 …) to data. */
export function decodeYuNet(out: Record<string, Float32Array>, inWidth: number, inHeight: number, scoreThreshold: number): DetectedFace[] {
  const faces: DetectedFace[] = [];
  for (const stride of STRIDES) {
    const cols = inWidth / stride;
    const n = cols * (inHeight / stride);
    const cls = out[`cls_${stride}`], obj = out[`obj_${stride}`], bbox = out[`bbox_${stride}`], kps = out[`kps_${stride}`];
    for (let i = 0; i < n; i++) {
      // The sigmoid is inside the model; clamp against rounding outside [0, 1].
      const score = Math.sqrt(clamp01(cls[i]) * clamp01(obj[i]));
      if (score < scoreThreshold) continue;
      const row = Math.floor(i / cols), col = i % cols;
      const cx = (col + bbox[i * 4]) * stride, cy = (row + bbox[i * 4 + 1]) * stride;
      const w = Math.exp(bbox[i * 4 + 2]) * stride, h = Math.exp(bbox[i * 4 + 3]) * stride;
      // A saturated regression (seen on real video frames) gives an infinite or frame-sized-many-times box: no face.
      if (!(w <= 2 * inWidth && h <= 2 * inHeight && Number.isFinite(cx) && Number.isFinite(cy))) continue;
      const landmarks: [number, number][] = [];
      for (let k = 0; k < 5; k++) landmarks.push([(kps[i * 10 + 2 * k] + col) * stride, (kps[i * 10 + 2 * k + 1] + row) * stride]);
      faces.push({ box: [cx - w / 2, cy - h / 2, w, h], score, landmarks });
    }
  }
  return faces;
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

export function iou(a: DetectedFace['box'], b: DetectedFace['box']): number {
  const ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  return inter / (a[2] * a[3] + b[2] * b[3] - inter);
}

/** Greedy non-maximum suppression, best score first. */
export function nms(faces: DetectedFace[], iouThreshold = NMS_IOU): DetectedFace[] {
  const sorted = [...faces].sort((a, b) => b.score - a.score);
  const kept: DetectedFace[] = [];
  for (const f of sorted) if (kept.every((k) => iou(k.box, f.box) <= iouThreshold)) kept.push(f);
  return kept;
}

/** Maps a face from detector-input pixels back to source pixels (scale, then undo any border). */
export function toSource(f: DetectedFace, scale: number, offset = 0): DetectedFace {
  const m = (v: number): number => v / scale - offset;
  return {
    box: [m(f.box[0]), m(f.box[1]), f.box[2] / scale, f.box[3] / scale],
    score: f.score,
    landmarks: f.landmarks.map(([x, y]) => [m(x), m(y)] as [number, number]),
  };
}

/**
 * Landmark refinement. YuNet's landmarks move by up to a third of the eye distance with the scale a
 * face is seen at, and are worst for faces that fill a tight crop. Re-detecting each face in a window
 * of REFINE_WINDOW × its box, rescaled so the face is REFINE_FACE_SIZE px, and averaging with the
 * mirrored window's answer, raised the pairs set's AUC from 0.976 to 0.998 (README: sizes 80–160 tried;
 * 96 was best, all beat no refinement).
 */
export const REFINE_FACE_SIZE = 96;
export const REFINE_WINDOW = 2.5;
/** The face is known to be there; this only rejects a window where the detector sees something else. */
const REFINE_MIN_SCORE = 0.3;
const MIRROR: readonly number[] = [1, 0, 2, 4, 3];

export interface RefineWindow { x: number; y: number; scale: number; size: number }

/** The square window (source px) around a face and the scale that brings the face to REFINE_FACE_SIZE. */
export function refineWindow(box: DetectedFace['box']): RefineWindow {
  const side = Math.max(box[2], box[3]) * REFINE_WINDOW;
  const size = Math.round(REFINE_FACE_SIZE * REFINE_WINDOW);
  return { x: box[0] + box[2] / 2 - side / 2, y: box[1] + box[3] / 2 - side / 2, scale: size / side, size };
}

export class FaceDetector {
  private constructor(private readonly model: OnnxModel, private readonly config: DetectorConfig, readonly fixedSize: number | undefined) {}

  static async load(modelsDir: string, session: SessionConfig, config: DetectorConfig): Promise<FaceDetector> {
    if (fs.existsSync(path.join(modelsDir, YUNET_DYNAMIC_FILE))) {
      return new FaceDetector(await loadModel(modelsDir, YUNET_DYNAMIC_FILE, session), config, undefined);
    }
    return new FaceDetector(await loadModel(modelsDir, YUNET_FIXED_FILE, session), config, 640);
  }

  get modelFile(): string { return path.basename(this.model.file); }

  /** Faces sorted by box area, largest first. `maxSide` overrides the configured detector input size. */
  async detect(image: Mat, maxSide = this.config.maxSide): Promise<DetectedFace[]> {
    const faces = await this.detectOnce(image, 0, maxSide);
    if (faces.length || !this.config.padRetry) return faces;
    // YuNet can miss a face that fills the whole frame (ID photos, face crops): a border makes it an
    // ordinary face again. A quarter of the longer side on each side. The frame is scaled to the
    // detector's input size first, so a large photo is never copied at full size.
    const pad = Math.max(image.cols, image.rows) * 0.25;
    const side = this.fixedSize ?? maxSide;
    const scale = Math.min(1, side / (image.cols + 2 * pad), side / (image.rows + 2 * pad));
    const small = scale < 1 ? image.resize(Math.max(1, Math.round(image.rows * scale)), Math.max(1, Math.round(image.cols * scale)), 0, 0, cv.INTER_LINEAR) : image;
    // Read before `small` is released: a released Mat reports 0 columns.
    const k = small.cols / image.cols;
    const p = Math.round(pad * k);
    const bordered = small.copyMakeBorder(p, p, p, p, cv.BORDER_CONSTANT, new cv.Vec3(0, 0, 0));
    if (small !== image) small.release();
    try {
      return (await this.detectOnce(bordered, p, maxSide, 0)).map((f) => toSource(f, k)).filter((f) => this.bigEnough(f));
    } finally {
      bordered.release();
    }
  }

  private bigEnough(f: DetectedFace): boolean { return f.box[2] >= this.config.minFaceSize && f.box[3] >= this.config.minFaceSize; }

  /** The face with landmarks re-estimated at the canonical scale (see REFINE_FACE_SIZE); box and score are kept. */
  async refine(image: Mat, face: DetectedFace): Promise<DetectedFace> {
    const w = refineWindow(face.box);
    const size = new cv.Size(w.size, w.size);
    const expected: DetectedFace['box'] = [(face.box[0] - w.x) * w.scale, (face.box[1] - w.y) * w.scale, face.box[2] * w.scale, face.box[3] * w.scale];
    // The window and its mirror image are independent runs: started together, they can use two workers.
    const runs = [false, true].map(async (mirrored): Promise<[number, number][] | null> => {
      // One warp does crop, scale, mirror and the black fill outside the image.
      const sx = mirrored ? -w.scale : w.scale;
      const m = new cv.Mat([[sx, 0, mirrored ? w.size + w.x * w.scale : -w.x * w.scale], [0, w.scale, -w.y * w.scale]], cv.CV_64F);
      const window = image.warpAffine(m, size, cv.INTER_LINEAR, cv.BORDER_CONSTANT, new cv.Vec3(0, 0, 0));
      m.release();
      const box: DetectedFace['box'] = mirrored ? [w.size - expected[0] - expected[2], expected[1], expected[2], expected[3]] : expected;
      let found;
      try {
        found = await this.run(window, REFINE_MIN_SCORE, Infinity);
      } finally {
        window.release();
      }
      const best = found
        .map((f) => ({ f, overlap: iou(f.box, box) }))
        .sort((a, b) => b.overlap - a.overlap)[0];
      if (!best || best.overlap < 0.5) return null;
      const pts = mirrored ? MIRROR.map((k) => [w.size - best.f.landmarks[k][0], best.f.landmarks[k][1]] as [number, number]) : best.f.landmarks;
      return pts.map(([x, y]) => [x / w.scale + w.x, y / w.scale + w.y] as [number, number]);
    });
    const sets = (await Promise.all(runs)).filter((p): p is [number, number][] => p !== null);
    if (!sets.length) return face;
    const landmarks = face.landmarks.map((_, k) => [
      sets.reduce((a, p) => a + p[k][0], 0) / sets.length,
      sets.reduce((a, p) => a + p[k][1], 0) / sets.length,
    ] as [number, number]);
    return { ...face, landmarks };
  }

  /** Faces at least `minSize` px (the configured minimum unless given), in `image` pixels less `offset`. */
  private async detectOnce(image: Mat, offset: number, maxSide: number, minSize = this.config.minFaceSize): Promise<DetectedFace[]> {
    return (await this.run(image, this.config.scoreThreshold, maxSide))
      .map((f) => (offset ? toSource(f, 1, offset) : f))
      .filter((f) => f.box[2] >= minSize && f.box[3] >= minSize)
      .sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3]);
  }

  /** One model run: faces in this image's pixels, after NMS. */
  private async run(image: Mat, scoreThreshold: number, maxSide: number): Promise<DetectedFace[]> {
    const plan = planInput(image.cols, image.rows, maxSide, this.fixedSize);
    const out = await this.model.run(this.toPixels(image, plan), [1, 3, plan.inHeight, plan.inWidth]);
    const named: Record<string, Float32Array> = {};
    for (const name of this.model.outputNames) named[name] = outputData(out, name);
    return nms(decodeYuNet(named, plan.inWidth, plan.inHeight, scoreThreshold)).map((f) => toSource(f, plan.scale));
  }

  /** BGR, 0–255, no normalisation; resized to fit. The model input pads it with zeros at the bottom and right. */
  private toPixels(image: Mat, plan: InputPlan): PixelInput {
    const resized = plan.scale === 1 ? image : image.resize(plan.height, plan.width, 0, 0, cv.INTER_LINEAR);
    try {
      return pixelInput([resized], RAW_BGR, this.model);
    } finally {
      // V8 does not see Mat memory (see opencv.ts): free frame-sized temporaries now, not at some later GC.
      if (resized !== image) resized.release();
    }
  }

  close(): Promise<void> { return this.model.close(); }
}
