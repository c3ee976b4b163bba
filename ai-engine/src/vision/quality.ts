/**
 * Face quality: size, sharpness, brightness and pose, with a verdict and machine-readable reasons.
 * Enrollment and liveness call assessQuality() with their own thresholds when they need stricter ones.
 */
import { cv, type Mat } from './opencv.js';
import type { FacePose, FaceQuality, QualityThresholds } from './types.js';

export const DEFAULT_QUALITY_THRESHOLDS: Readonly<QualityThresholds> = Object.freeze({
  minInterOcular: 24,
  minSharpness: 60,
  minBrightness: 50,
  maxBrightness: 210,
  maxYaw: 40,
  maxPitch: 30,
});

export type QualityReason = 'too_small' | 'too_blurry' | 'too_dark' | 'too_bright' | 'pose_too_large';

export interface QualityMeasures { interOcular: number; sharpness: number; brightness: number }

/**
 * The face region of the aligned 112×112 crop: eyebrows to chin, cheek to cheek. Measuring there keeps
 * the black fill warpAffine leaves for faces at the image edge (a hard edge, and dark) out of the figures.
 */
const FACE_REGION = { x: 20, y: 28, width: 72, height: 80 } as const;

/** Sharpness (variance of the Laplacian) and brightness (mean grey) of an aligned BGR crop. */
export function measureCrop(aligned: Mat): { sharpness: number; brightness: number } {
  const { x, y, width, height } = FACE_REGION;
  const region = aligned.getRegion(new cv.Rect(x, y, width, height));
  const grey = region.bgrToGray();
  const lap = grey.laplacian(cv.CV_64F);
  const { mean, stddev } = lap.meanStdDev();
  const sd = stddev.at(0, 0);
  const brightness = grey.mean().w;
  for (const m of [region, grey, lap, mean, stddev]) m.release(); // V8 does not see Mat memory (opencv.ts)
  return { sharpness: sd * sd, brightness };
}

export function interOcular(landmarks: readonly [number, number][]): number {
  return Math.hypot(landmarks[1][0] - landmarks[0][0], landmarks[1][1] - landmarks[0][1]);
}

export function assessQuality(m: QualityMeasures, pose: FacePose, t: QualityThresholds): FaceQuality {
  const reasons: QualityReason[] = [];
  if (m.interOcular < t.minInterOcular) reasons.push('too_small');
  if (m.sharpness < t.minSharpness) reasons.push('too_blurry');
  if (m.brightness < t.minBrightness) reasons.push('too_dark');
  if (m.brightness > t.maxBrightness) reasons.push('too_bright');
  if (Math.abs(pose.yaw) > t.maxYaw || Math.abs(pose.pitch) > t.maxPitch) reasons.push('pose_too_large');
  return { ok: reasons.length === 0, reasons, ...m };
}
