/** Helpers for the vision tests: where the shared face photos and the models are, and a loud skip. */
import fs from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { REPO_ROOT } from '@attendance/shared';
import { cv, type Mat } from './opencv.js';

export const FACES_DIR = path.resolve(process.env.FACES_DIR ?? path.resolve(REPO_ROOT, '../shared/faces'));
export const MODELS_DIR = path.join(REPO_ROOT, 'models');
export const PAIRS_FILE = path.join(REPO_ROOT, 'tests/fixtures/faces-pairs.tsv');
const facesPresent = fs.existsSync(path.join(FACES_DIR, '_group/insightface_t1.jpg'));

/** False (and the test marked skipped, with a warning nobody can miss) when the photos are absent. */
export function needFaces(t: TestContext): boolean {
  if (facesPresent) return true;
  const why = `face photos not found at ${FACES_DIR} (set FACES_DIR): test NOT run`;
  console.warn(`\n*** SKIPPED: ${why} ***\n`);
  t.skip(why);
  return false;
}

export function facesAvailable(): boolean { return facesPresent; }

export function readFace(rel: string): Buffer {
  return fs.readFileSync(path.join(FACES_DIR, rel));
}

/** A BGR image of uniform random noise, the same every run (xorshift from a fixed seed). */
export function noiseImage(width: number, height: number, seed = 12345): Mat {
  const bytes = Buffer.alloc(width * height * 3);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return new cv.Mat(bytes, height, width, cv.CV_8UC3);
}
