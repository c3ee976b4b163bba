/**
 * Face alignment: the similarity transform (rotation, uniform scale, translation) that best maps the
 * 5 detected landmarks onto the ArcFace 112×112 template in the least-squares sense, then warpAffine.
 */
import { cv, type Mat } from './opencv.js';

export const ALIGNED_SIZE = 112;
/** ArcFace / InsightFace 112×112 template, in YuNet's landmark order (eyes, nose, mouth corners). */
export const ARCFACE_TEMPLATE: readonly [number, number][] = [
  [38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041],
];

/** Row-major 2×3 affine matrix [a, -b, tx, b, a, ty]. */
export type Affine = [number, number, number, number, number, number];

/**
 * Umeyama's least-squares similarity estimate, without reflection. In 2-D the SVD solution reduces
 * to this closed form on centred points: a = Σ(s·d)/Σ|s|², b = Σ(s×d)/Σ|s|², t = d̄ − [a −b; b a]·s̄.
 */
export function similarityTransform(src: readonly [number, number][], dst: readonly [number, number][]): Affine {
  const n = src.length;
  if (n < 2 || dst.length !== n) throw new Error(`need matching point lists of at least 2 points, got ${n} and ${dst.length}`);
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) { sx += src[i][0]; sy += src[i][1]; dx += dst[i][0]; dy += dst[i][1]; }
  sx /= n; sy /= n; dx /= n; dy /= n;
  let dot = 0, cross = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i][0] - sx, py = src[i][1] - sy, qx = dst[i][0] - dx, qy = dst[i][1] - dy;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (norm === 0) throw new Error('source points are all the same point');
  const a = dot / norm, b = cross / norm;
  return [a, -b, dx - (a * sx - b * sy), b, a, dy - (b * sx + a * sy)];
}

export function applyAffine(m: Affine, [x, y]: [number, number]): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/** The 112×112 BGR crop of one face, aligned to the template; outside the image is black, as in training. */
export function alignFace(image: Mat, landmarks: readonly [number, number][]): Mat {
  const m = similarityTransform(landmarks, ARCFACE_TEMPLATE);
  const mat = new cv.Mat([[m[0], m[1], m[2]], [m[3], m[4], m[5]]], cv.CV_64F);
  try {
    return image.warpAffine(mat, new cv.Size(ALIGNED_SIZE, ALIGNED_SIZE), cv.INTER_LINEAR, cv.BORDER_CONSTANT, new cv.Vec3(0, 0, 0));
  } finally {
    mat.release(); // V8 does not see Mat memory (opencv.ts): every Mat made per frame is released here
  }
}
