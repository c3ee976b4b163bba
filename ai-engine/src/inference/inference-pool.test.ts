// The inference pool gives exactly what the models give on the calling thread: same faces, same
// landmarks, same embeddings and anti-spoof scores, bit for bit, however the runs are spread.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { AntiSpoof } from '../vision/antispoof.js';
import { VisionPipeline, type FaceAnalysis } from '../vision/index.js';
import { InferencePool } from './inference-pool.js';
import { MODELS_DIR, needFaces, readFace } from '../vision/test-support.js';

const IMAGES = ['_group/insightface_t1.jpg', 'yyw_caijin/capture_100.jpg', 'fr_obama/obama.jpg', 'faceapi_amy/amy1.png'];

let local: VisionPipeline;
let pooled: VisionPipeline;
before(async () => {
  local = await VisionPipeline.load({ modelsDir: MODELS_DIR, workers: 0 });
  pooled = await VisionPipeline.load({ modelsDir: MODELS_DIR, workers: 2 });
});
after(async () => { await local?.close(); await pooled?.close(); });

test('the pool returns the same results as the in-process pipeline, also with many frames at once', async (t) => {
  if (!needFaces(t)) return;
  const bytes = IMAGES.map(readFace);
  const expected: FaceAnalysis[][] = [];
  for (const b of bytes) expected.push(await local.analyzeBytes(b));
  assert.equal(expected[0].length, 6, 'the group photo has six faces');
  // All at once, twice over: runs from different frames interleave on both workers.
  const got = await Promise.all([...bytes, ...bytes].map((b) => pooled.analyzeBytes(b)));
  got.forEach((faces, i) => assert.deepEqual(faces, expected[i % bytes.length], IMAGES[i % bytes.length]));
});

test('the pool survives a bad input and keeps serving', async (t) => {
  if (!needFaces(t)) return;
  await assert.rejects(pooled.analyzeBytes(Buffer.from('not an image')), /not a JPEG/);
  assert.equal((await pooled.analyzeBytes(readFace('fr_obama/obama.jpg'))).length, 1);
});

test('a worker that dies is replaced with every model, the rewritten one too, and no model copy is left on disk', async (t) => {
  if (!needFaces(t)) return;
  // A temporary directory of this test's own, so that no other test's model copies are counted.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pool-test-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  const pool = InferencePool.start(1);
  try {
    const spoof = await AntiSpoof.load(MODELS_DIR, { threads: 1, pool });
    const image = local.decode(readFace('fr_obama/obama.jpg'));
    try {
      const [face] = await local.analyze(image, { embed: false, antispoof: false });
      const first = await spoof.score(image, [face]);
      await pool['slots'][0].worker.terminate(); // as a crash would
      assert.deepEqual(await spoof.score(image, [face]), first, 'same score from the replacement worker');
    } finally {
      image.release();
    }
    // (A worker started under tsx keeps tsx's cache in the same directory.)
    assert.deepEqual(fs.readdirSync(tmp).filter((n) => !n.startsWith('tsx-')), [], 'the temporary copies are gone once loaded');
  } finally {
    await pool.close();
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
