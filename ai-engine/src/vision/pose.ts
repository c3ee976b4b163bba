/**
 * Head pose from the 5 YuNet landmarks, by closed-form geometry under weak perspective.
 *
 * SIGN CONVENTION (what liveness relies on), for an UNMIRRORED camera image, as seen by the student:
 * - yaw < 0: the student turned to their OWN LEFT. Facing the camera, their left is the image's right,
 *   so the nose tip moves toward the image's right side. yaw > 0: turned to their own right.
 *   Liveness: "left" = yaw < −15°, "right" = yaw > +15°, "center" = |yaw| ≤ 5°.
 *   A mirrored (selfie-view) image flips the sign: mirror it back before trusting left/right.
 * - pitch > 0: chin up (looking up); pitch < 0: looking down.
 * - roll > 0: the eye line turns clockwise in the image (the image-right eye is lower).
 *
 * Model: a generic face where the eye centres and mouth corners lie in one plane and the nose tip
 * stands NOSE_DEPTH inter-ocular distances in front of it (derived from the common 6-point head model
 * with eye centres ~6 mm ahead of the outer eye corners). Yawing by θ shifts the nose sideways by
 * depth·sinθ while the eye distance shrinks by cosθ, so tanθ = (shift / eye distance) / NOSE_DEPTH.
 * Pitch works the same way on the nose's height between the eye line and the mouth line. No camera
 * intrinsics are needed; the 68-point model was not used because nothing here has pose ground truth
 * to show it would be more accurate, and this costs no inference.
 */
import { ARCFACE_TEMPLATE } from './align.js';
import type { FacePose } from './types.js';

/** Nose-tip depth in front of the eye/mouth plane, in inter-ocular distances. */
export const NOSE_DEPTH = 0.35;

const T = ARCFACE_TEMPLATE;
const T_EYE_Y = (T[0][1] + T[1][1]) / 2;
const T_MOUTH_Y = (T[3][1] + T[4][1]) / 2;

/**
 * Where YuNet's nose point sits between the eye line (0) and the mouth line (1) at zero pitch. The ArcFace
 * template says 0.495, but with it the 330 test photos (people facing the camera) had a median pitch of
 * −13°; 0.564 puts that median at 0. YuNet marks the nose tip lower than the template's nose point.
 */
export const FRONTAL_NOSE_RATIO = 0.564;
/** Eye-line-to-mouth-line distance over the eye distance, frontal. */
const MOUTH_DROP = (T_MOUTH_Y - T_EYE_Y) / (T[1][0] - T[0][0]);

const DEG = 180 / Math.PI;

export function estimatePose(landmarks: readonly [number, number][]): FacePose {
  const [le, re, nose, lm, rm] = landmarks;
  const roll = Math.atan2(re[1] - le[1], re[0] - le[0]);
  // Undo the roll about the eye midpoint so the remaining offsets are purely yaw and pitch.
  const ox = (le[0] + re[0]) / 2, oy = (le[1] + re[1]) / 2;
  const c = Math.cos(-roll), s = Math.sin(-roll);
  const un = (p: [number, number]): [number, number] => [c * (p[0] - ox) - s * (p[1] - oy), s * (p[0] - ox) + c * (p[1] - oy)];
  const [l, r, n, ml, mr] = [le, re, nose, lm, rm].map(un);
  const eyeDist = Math.hypot(r[0] - l[0], r[1] - l[1]);
  const mouth: [number, number] = [(ml[0] + mr[0]) / 2, (ml[1] + mr[1]) / 2];
  if (eyeDist === 0 || mouth[1] === 0) return { yaw: 0, pitch: 0, roll: roll * DEG };
  // Midline: the eye midpoint is the origin; average it with the mouth midpoint for robustness.
  const shift = (n[0] - mouth[0] / 2) / eyeDist;
  const yaw = -Math.atan(shift / NOSE_DEPTH);
  const noseRatio = n[1] / mouth[1];
  const pitch = Math.atan((FRONTAL_NOSE_RATIO - noseRatio) * MOUTH_DROP / NOSE_DEPTH);
  return { yaw: yaw * DEG, pitch: pitch * DEG, roll: roll * DEG };
}
