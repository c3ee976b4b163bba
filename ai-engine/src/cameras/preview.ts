import { AppError } from '@attendance/shared';
import { cv, type Mat } from '../vision/index.js';
import type { AnalyzedFace } from './frame-analyzer.js';

/** One MJPEG viewer: `send` returns false when the frame was dropped (slow viewer) or the viewer is gone. */
export interface PreviewViewer { send(jpeg: Buffer): void; close(): void }

export class TooManyViewersError extends AppError {
  constructor(message: string) { super(message, 'too_many_viewers', 503); }
}

/**
 * Preview fan-out per camera. A loop encodes a preview only when someone watches and the frame-rate
 * cap allows; viewers decide themselves whether to drop a frame, so none can stall a loop.
 */
export class PreviewHub {
  private readonly viewers = new Map<number, Set<PreviewViewer>>();
  private readonly lastAt = new Map<number, number>();

  constructor(private readonly fps: number, private readonly maxViewers: number) {}

  add(cameraId: number, viewer: PreviewViewer): () => void {
    const set = this.viewers.get(cameraId) ?? new Set();
    if (set.size >= this.maxViewers) throw new TooManyViewersError(`camera ${cameraId} already has ${set.size} preview viewers`);
    set.add(viewer);
    this.viewers.set(cameraId, set);
    return () => { set.delete(viewer); };
  }

  count(cameraId: number): number { return this.viewers.get(cameraId)?.size ?? 0; }

  /** True when a preview frame should be produced now (someone watches, and the fps cap allows it). */
  due(cameraId: number, now = Date.now()): boolean {
    if (!this.count(cameraId)) return false;
    return now - (this.lastAt.get(cameraId) ?? 0) >= 1000 / this.fps;
  }

  publish(cameraId: number, image: Mat, faces: readonly AnalyzedFace[], now = Date.now()): void {
    this.lastAt.set(cameraId, now);
    const jpeg = renderPreview(image, faces);
    for (const v of this.viewers.get(cameraId) ?? []) v.send(jpeg);
  }

  /** Ends every preview of a camera (it stopped). */
  closeAll(cameraId: number): void {
    for (const v of this.viewers.get(cameraId) ?? []) v.close();
    this.viewers.delete(cameraId);
  }
}

const GREEN = new cv.Vec3(80, 200, 60);
const AMBER = new cv.Vec3(0, 190, 255);
const RED = new cv.Vec3(40, 40, 230);

/**
 * Boxes drawn on a copy of the frame, as JPEG: green for a recognised student, amber with "unknown" or
 * "low quality", red with "spoof". Students' names are not drawn here: OpenCV's fonts have no accents
 * or non-Latin letters ("Ana López" came out as "Ana L??pez"). The live page writes them over the picture
 * from the `camera/<id>/detections` events, in the browser's fonts.
 */
export function renderPreview(image: Mat, faces: readonly AnalyzedFace[]): Buffer {
  const canvas = image.copy();
  for (const f of faces) {
    const [x, y, w, h] = f.box.map(Math.round);
    const color = f.verdict === 'matched' ? GREEN : f.verdict === 'spoof' ? RED : AMBER;
    canvas.drawRectangle(new cv.Rect(x, y, w, h), color, 2);
    if (f.verdict === 'matched') continue;
    const label = f.verdict === 'low_quality' ? 'low quality' : f.verdict;
    canvas.putText(label, new cv.Point2(Math.max(0, x), Math.max(14, y - 6)), cv.FONT_HERSHEY_SIMPLEX, 0.5, color, 1);
  }
  const jpeg = cv.imencode('.jpg', canvas, [cv.IMWRITE_JPEG_QUALITY, 75]);
  canvas.release();
  return jpeg;
}
