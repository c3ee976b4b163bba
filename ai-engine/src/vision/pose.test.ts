import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ARCFACE_TEMPLATE } from './align.js';
import { FRONTAL_NOSE_RATIO, NOSE_DEPTH, estimatePose } from './pose.js';

type P = [number, number];
const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a.toFixed(2)} vs ${b}`);

/**
 * The 5 points of the generic face the estimator assumes, turned by yaw (about the vertical axis,
 * positive = the student's own right) and pitch (positive = chin up), seen by an unmirrored camera.
 * Axes: x to the image's right, y down, z toward the camera; the student's own left is image-right.
 */
function project(yawDeg: number, pitchDeg: number, rollDeg = 0): P[] {
  const iod = 40, drop = ((ARCFACE_TEMPLATE[3][1] - ARCFACE_TEMPLATE[0][1]) / 35.2373) * iod;
  const model: [number, number, number][] = [
    [-iod / 2, 0, 0], [iod / 2, 0, 0], [0, FRONTAL_NOSE_RATIO * drop, NOSE_DEPTH * iod], [-0.41 * iod, drop, 0], [0.41 * iod, drop, 0],
  ];
  const y = (yawDeg * Math.PI) / 180, p = (pitchDeg * Math.PI) / 180, r = (rollDeg * Math.PI) / 180;
  return model.map(([x0, y0, z0]) => {
    // Turning to one's own right moves the nose (z > 0) toward the image's left (−x).
    const x1 = x0 * Math.cos(y) - z0 * Math.sin(y), z1 = x0 * Math.sin(y) + z0 * Math.cos(y);
    // Chin up moves points in front of the face (z > 0) up the image (−y).
    const y2 = y0 * Math.cos(p) - z1 * Math.sin(p);
    return [200 + x1 * Math.cos(r) - y2 * Math.sin(r), 150 + x1 * Math.sin(r) + y2 * Math.cos(r)] as P;
  });
}

test('a frontal face has zero yaw, pitch and roll', () => {
  const pose = estimatePose(project(0, 0));
  close(pose.yaw, 0, 1e-9, 'yaw');
  close(pose.pitch, 0, 1e-9, 'pitch');
  close(pose.roll, 0, 1e-9, 'roll');
});

test('yaw: turning to the student\'s own left is negative, and the angle is recovered', () => {
  for (const yaw of [-30, -15, -5, 5, 15, 30]) close(estimatePose(project(yaw, 0)).yaw, yaw, 0.5, `yaw ${yaw}`);
  // Own left: the nose tip moves toward the image's right side.
  const left = project(-20, 0);
  assert.ok(left[2][0] > 200, 'nose moved image-right');
  assert.ok(estimatePose(left).yaw < -15);
});

test('pitch and roll are recovered, also combined with yaw', () => {
  close(estimatePose(project(0, 15)).pitch, 15, 0.5, 'chin up');
  close(estimatePose(project(0, -15)).pitch, -15, 0.5, 'looking down');
  close(estimatePose(project(0, 0, 10)).roll, 10, 1e-9, 'roll');
  const p = estimatePose(project(20, 10, -8));
  // Roll is the eye line's tilt in the image; yaw and pitch together tilt it too (eyes at different depths).
  close(p.roll, -8, 4, 'roll');
  close(p.yaw, 20, 3, 'yaw');
  close(p.pitch, 10, 3, 'pitch');
});

test('mirroring the landmarks flips yaw and roll, keeps pitch', () => {
  const pts = project(25, 8, 6);
  // A mirrored image swaps which eye/mouth corner is image-left.
  const m = pts.map(([x, y]) => [400 - x, y] as P);
  const mirrored = [m[1], m[0], m[2], m[4], m[3]];
  const a = estimatePose(pts), b = estimatePose(mirrored);
  close(b.yaw, -a.yaw, 1e-9, 'yaw');
  close(b.roll, -a.roll, 1e-9, 'roll');
  close(b.pitch, a.pitch, 1e-9, 'pitch');
});
