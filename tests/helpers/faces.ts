import fs from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';

export const FACES_DIR = process.env.FACES_DIR ?? path.resolve(import.meta.dirname, '../../../shared/faces');
export const facesAvailable = fs.existsSync(FACES_DIR);

export const face = (rel: string) => fs.readFileSync(path.join(FACES_DIR, rel));

/** Skips, loudly, when the face fixtures are absent; `npm test` points FACES_DIR at ../shared/faces. */
export function needFaces(t: TestContext): boolean {
  if (facesAvailable) return true;
  console.warn(`\n!!! face fixtures not found at ${FACES_DIR}: set FACES_DIR. Test SKIPPED: ${t.name}\n`);
  t.skip(`face fixtures missing (${FACES_DIR})`);
  return false;
}
