// The whole pipeline on real photos from ../shared/faces (FACES_DIR). One pipeline for the file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ImageDecodeError, VisionPipeline, cosine, cv, type FaceAnalysis } from './index.js';
import { FACES_DIR, MODELS_DIR, PAIRS_FILE, needFaces, noiseImage, readFace } from './test-support.js';
import { meanScore, pairImages, readPairs, rocAuc } from './verification.js';

let vision: VisionPipeline;
before(async () => { vision = await VisionPipeline.load({ modelsDir: MODELS_DIR }); });
after(async () => { await vision?.close(); });

const SINGLE = ['fr_obama/obama.jpg', 'fr_biden/biden.jpg', 'deepface_p01/img1.jpg', 'deepface_p01/img2.jpg', 'sun_Trump/Trump-1.jpg',
  'faceapi_amy/amy1.png', 'yyw_caijin/capture_100.jpg', 'yyw_caijin/faces_1.jpg', 'deepface_p03/img47.jpg'];

const inside = (f: FaceAnalysis): boolean => f.landmarks.every(([x, y]) => x >= f.box[0] && x <= f.box[0] + f.box[2] && y >= f.box[1] && y <= f.box[1] + f.box[3]);

test('one face in single-person photos, landmarks inside the box, full analysis', async (t) => {
  if (!needFaces(t)) return;
  for (const rel of SINGLE) {
    const faces = await vision.analyzeBytes(readFace(rel));
    assert.equal(faces.length, 1, rel);
    const [f] = faces;
    assert.equal(f.landmarks.length, 5);
    assert.ok(inside(f), `${rel}: landmarks outside the box`);
    assert.ok(f.score >= 0.6, rel);
    assert.equal(f.embedding?.length, 128);
    assert.ok(Math.abs(Math.hypot(...f.embedding!) - 1) < 1e-5, 'L2-normalised');
    assert.ok(f.real! >= 0 && f.real! <= 1);
    assert.ok(f.quality.interOcular > 20 && f.quality.sharpness > 0 && f.quality.brightness > 0);
    // Image-left eye left of image-right eye, eyes above the mouth.
    assert.ok(f.landmarks[0][0] < f.landmarks[1][0] && f.landmarks[0][1] < f.landmarks[3][1], rel);
  }
});

test('six faces in the group photo, largest first; maxFaces and the switches', async (t) => {
  if (!needFaces(t)) return;
  const image = vision.decode(readFace('_group/insightface_t1.jpg'));
  const faces = await vision.analyze(image);
  assert.equal(faces.length, 6);
  const areas = faces.map((f) => f.box[2] * f.box[3]);
  assert.deepEqual(areas, [...areas].sort((a, b) => b - a));
  assert.ok(faces.every(inside));
  const two = await vision.analyze(image, { maxFaces: 2, embed: false, antispoof: false });
  assert.equal(two.length, 2);
  assert.equal(two[0].embedding, undefined);
  assert.equal(two[0].real, undefined);
  assert.deepEqual(two[0].box, faces[0].box);
});

test('same-person cosine clearly above different-person cosine on the shipped pairs', async (t) => {
  if (!needFaces(t)) return;
  const pairs = readPairs(PAIRS_FILE);
  const embeddings = new Map<string, Float32Array>();
  for (const file of pairImages(pairs, FACES_DIR)) {
    const [face] = await vision.analyzeBytes(readFace(path.relative(FACES_DIR, file)), { antispoof: false, maxFaces: 1 });
    assert.ok(face?.embedding, `no face in ${file}`);
    embeddings.set(file, face.embedding);
  }
  const scores = pairs.map((p) => ({ same: p.same, score: cosine(embeddings.get(path.join(FACES_DIR, p.a))!, embeddings.get(path.join(FACES_DIR, p.b))!) }));
  const same = meanScore(scores, true), diff = meanScore(scores, false), auc = rocAuc(scores);
  assert.ok(same - diff > 0.5, `mean same ${same.toFixed(3)} vs different ${diff.toFixed(3)}`);
  assert.ok(auc > 0.97, `AUC ${auc}`);
});

test('anti-spoofing: the spoof samples score lower than the real one', async (t) => {
  if (!needFaces(t)) return;
  const score = async (rel: string): Promise<number> => (await vision.analyzeBytes(readFace(`_antispoof/${rel}`), { embed: false, maxFaces: 1 }))[0].real!;
  const real = await score('silentface_real_image_T1.jpg');
  assert.ok(real > 0.9, `real ${real}`);
  for (const spoof of ['silentface_spoof_image_F1.jpg', 'silentface_spoof_image_F2.jpg', 'insightface_spoof_rgb_fake.jpg']) {
    const p = await score(spoof);
    assert.ok(p < real && p < 0.5, `${spoof}: ${p}`);
  }
});

test('yaw changes sign on a mirrored image; a frontal photo is near centre', async (t) => {
  if (!needFaces(t)) return;
  for (const rel of ['faceapi_leonard/leonard3.png', 'faceapi_penny/penny4.png', 'deepface_p01/img2.jpg']) {
    const image = vision.decode(readFace(rel));
    const [a] = await vision.analyze(image, { embed: false, antispoof: false });
    const [b] = await vision.analyze(image.flip(1), { embed: false, antispoof: false });
    assert.ok(Math.abs(a.pose.yaw) > 8, `${rel}: yaw ${a.pose.yaw}`);
    assert.ok(Math.sign(a.pose.yaw) === -Math.sign(b.pose.yaw), `${rel}: ${a.pose.yaw} vs mirrored ${b.pose.yaw}`);
    assert.ok(Math.abs(a.pose.yaw + b.pose.yaw) < 12, `${rel}: magnitudes ${a.pose.yaw} / ${b.pose.yaw}`);
  }
  const [obama] = await vision.analyzeBytes(readFace('fr_obama/obama.jpg'), { embed: false, antispoof: false });
  assert.ok(Math.abs(obama.pose.yaw) <= 5 && Math.abs(obama.pose.roll) <= 5, JSON.stringify(obama.pose));
});

test('quality verdict: dark, blurred and tiny copies of a good photo are flagged', async (t) => {
  if (!needFaces(t)) return;
  const image = vision.decode(readFace('fr_obama/obama.jpg'));
  const q = async (m: typeof image): Promise<string[]> => (await vision.analyze(m, { embed: false, antispoof: false }))[0].quality.reasons;
  assert.deepEqual(await q(image), []);
  assert.ok((await q(image.convertTo(cv.CV_8UC3, 0.25))).includes('too_dark'));
  assert.ok((await q(image.convertTo(cv.CV_8UC3, 1, 170))).includes('too_bright'));
  assert.ok((await q(image.gaussianBlur(new cv.Size(31, 31), 9))).includes('too_blurry'));
  assert.ok((await q(image.resize(Math.round(image.rows / 6), Math.round(image.cols / 6)))).includes('too_small'));
});

test('a face cropped tighter than its box is still found (detection on a bordered copy)', async (t) => {
  if (!needFaces(t)) return;
  const image = vision.decode(readFace('deepface_p01/img1.jpg'));
  const [f] = await vision.analyze(image, { embed: false, antispoof: false });
  const w = f.box[2] * 0.55, h = f.box[3] * 0.55;
  const crop = image.getRegion(new cv.Rect(Math.round(f.box[0] + (f.box[2] - w) / 2), Math.round(f.box[1] + (f.box[3] - h) / 2), Math.round(w), Math.round(h)));
  assert.equal((await vision.analyze(crop, { embed: false, antispoof: false })).length, 1);
  // The same crop enlarged past the detector's input size: the bordered copy is scaled down first,
  // and the face found there must come back in the big image's pixels, inside it (not NaN).
  const big = crop.resize(Math.round(crop.rows * 1200 / crop.cols), 1200);
  const [found] = await vision.analyze(big, { embed: false, antispoof: true });
  assert.ok(found, 'the enlarged tight crop is found');
  assert.ok(found.box.every(Number.isFinite) && found.box[2] > 300 && found.box[0] > -found.box[2], `box ${found.box}`);
  assert.ok(found.real !== undefined && found.real >= 0);
});

test('random-noise PNG: no face, no crash; grey and BGRA frames are accepted', async () => {
  assert.deepEqual(await vision.analyzeBytes(cv.imencode('.png', noiseImage(320, 240))), []);
  const grey = noiseImage(64, 48).bgrToGray();
  assert.deepEqual(await vision.analyze(grey), []);
  assert.deepEqual(await vision.analyze(noiseImage(64, 48).cvtColor(cv.COLOR_BGR2BGRA)), []);
});

test('corrupt, empty and non-image input are typed errors from analyzeBytes', async () => {
  await assert.rejects(vision.analyzeBytes(Buffer.alloc(0)), ImageDecodeError);
  await assert.rejects(vision.analyzeBytes(Buffer.from('not an image')), ImageDecodeError);
  await assert.rejects(vision.analyzeBytes('%%%not-base64%%%'), ImageDecodeError);
  const jpeg = cv.imencode('.jpg', noiseImage(64, 64));
  await assert.rejects(vision.analyzeBytes(jpeg.subarray(0, 100)), ImageDecodeError);
  assert.throws(() => vision.decode(jpeg.subarray(0, 100)), ImageDecodeError);
});

test('modelId names the embedder and whether flip TTA is on', () => {
  assert.equal(vision.modelId, 'mobilefacenet_foamliu');
});
