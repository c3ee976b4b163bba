// The inference pool gives exactly what the models give on the calling thread: same faces, same
// landmarks, same embeddings and anti-spoof scores, bit for bit, however the runs are spread.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { VisionPipeline, type FaceAnalysis } from '../vision/index.js';
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
