// Vision section of `npm run bench`: per-stage latency of the face pipeline on this machine, and the
// same detector and embedder through OpenCV's DNN module for comparison (ratio ours / OpenCV at the
// same thread count). Frames: a 640×480 webcam frame with one face (yyw_caijin/capture_100.jpg) and
// the 1280×886 group photo with six faces (_group/insightface_t1.jpg), from FACES_DIR.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchOptions, BenchRow } from '../bench.js';
import { ENGINE_NODE_FLAGS, MALLOC_ENV } from '../lib/commands.mjs';
import { timeIt } from '../bench.js';
import { alignFace } from '../../ai-engine/src/vision/align.js';
import { AntiSpoof } from '../../ai-engine/src/vision/antispoof.js';
import { FaceDetector, YUNET_FIXED_FILE, decodeYuNet, nms, planInput, toSource } from '../../ai-engine/src/vision/detector.js';
import { EMBEDDER_FILE, FaceEmbedder, cosine, l2normalize } from '../../ai-engine/src/vision/embedder.js';
import { decodeImage } from '../../ai-engine/src/vision/image.js';
import { cv, type Mat } from '../../ai-engine/src/vision/opencv.js';
import { VisionPipeline, type AnalyzeOptions, type DetectedFace, type VisionOptions } from '../../ai-engine/src/vision/index.js';

export const name = 'vision';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MODELS = path.join(ROOT, 'models');
const FACES = path.resolve(process.env.FACES_DIR ?? path.resolve(ROOT, '../shared/faces'));
const YUNET_OUTPUTS = ['cls_8', 'cls_16', 'cls_32', 'obj_8', 'obj_16', 'obj_32', 'bbox_8', 'bbox_16', 'bbox_32', 'kps_8', 'kps_16', 'kps_32'];
const DETECTOR = { scoreThreshold: 0.6, minFaceSize: 20, padRetry: true };

type Timing = Awaited<ReturnType<typeof timeIt>>;
const row = (stage: string, impl: string, threads: number, t: Timing, extra: BenchRow = {}): BenchRow =>
  ({ stage, impl, threads, median_ms: t.median, p95_ms: t.p95, runs: t.runs, ...extra });

/** YuNet and MobileFaceNet through cv.dnn: the fixed 640×640 YuNet is the only one OpenCV 4.6 loads. */
class OpenCvModels {
  private readonly det = cv.readNetFromONNX(path.join(MODELS, YUNET_FIXED_FILE));
  private readonly emb = cv.readNetFromONNX(path.join(MODELS, EMBEDDER_FILE));

  detect(image: Mat): DetectedFace[] {
    const plan = planInput(image.cols, image.rows, 640, 640);
    const resized = plan.scale === 1 ? image : image.resize(plan.height, plan.width);
    const padded = resized.copyMakeBorder(0, 640 - plan.height, 0, 640 - plan.width, cv.BORDER_CONSTANT, new cv.Vec3(0, 0, 0));
    this.det.setInput(cv.blobFromImage(padded, 1, new cv.Size(640, 640), new cv.Vec3(0, 0, 0), false, false));
    const outs = this.det.forward(YUNET_OUTPUTS);
    const named: Record<string, Float32Array> = {};
    outs.forEach((m, i) => {
      const flat = m.flattenFloat(m.sizes[1], m.sizes[2]).getData();
      named[YUNET_OUTPUTS[i]] = new Float32Array(flat.buffer.slice(flat.byteOffset, flat.byteOffset + flat.byteLength));
    });
    return nms(decodeYuNet(named, 640, 640, DETECTOR.scoreThreshold)).map((f) => toSource(f, plan.scale));
  }

  /**
   * MobileFaceNet's input through blobFromImage: RGB, −mean·255, ÷(255·0.226). One scale for all three
   * channels is the only difference from ours (per-channel std); embeddings agree to cosine 0.9999.
   * (Building the blob from our own float data does not work: Mat.setData on a 4-D Mat is broken.)
   */
  embed(aligned: Mat): Float32Array {
    this.emb.setInput(cv.blobFromImage(aligned, 1 / (255 * 0.226), new cv.Size(112, 112), new cv.Vec3(0.485 * 255, 0.456 * 255, 0.406 * 255), true, false));
    const flat = this.emb.forward().flattenFloat(1, 128).getData();
    return l2normalize(new Float32Array(flat.buffer.slice(flat.byteOffset, flat.byteOffset + flat.byteLength)));
  }
}

export async function run(opts: BenchOptions): Promise<BenchRow[]> {
  const framePath = path.join(FACES, 'yyw_caijin/capture_100.jpg'), groupPath = path.join(FACES, '_group/insightface_t1.jpg');
  if (!fs.existsSync(framePath) || !fs.existsSync(groupPath)) {
    opts.log(`*** vision bench SKIPPED: face photos not found at ${FACES} (set FACES_DIR) ***`);
    return [{ stage: 'skipped', note: `no photos at ${FACES}` }];
  }
  const s = opts.seconds;
  const threads = opts.threads ?? 1;
  const rows: BenchRow[] = [];
  const jpeg = fs.readFileSync(framePath);
  const frame = decodeImage(jpeg, 40e6), group = decodeImage(fs.readFileSync(groupPath), 40e6);
  const load = (o: Partial<VisionOptions> = {}): Promise<VisionPipeline> => VisionPipeline.load({ modelsDir: MODELS, threads, ...o });

  opts.log('[vision] stages');
  rows.push(row('decode 640×480 JPEG', 'opencv', 1, await timeIt(() => decodeImage(jpeg, 40e6).release(), s)));
  const session = { threads };
  const det640 = await FaceDetector.load(MODELS, session, { ...DETECTOR, maxSide: 640 });
  const det320 = await FaceDetector.load(MODELS, session, { ...DETECTOR, maxSide: 320 });
  const embedder = await FaceEmbedder.load(MODELS, session, false);
  const spoof = await AntiSpoof.load(MODELS, session);
  const [face] = await det640.detect(frame);
  const aligned = alignFace(frame, face.landmarks);
  rows.push(row('detect 640×480', 'ours', threads, await timeIt(() => det640.detect(frame), s)));
  rows.push(row('detect 640×480 at 320×256', 'ours', threads, await timeIt(() => det320.detect(frame), s)));
  rows.push(row('refine landmarks, per face', 'ours', threads, await timeIt(() => det640.refine(frame, face), s)));
  rows.push(row('align, per face', 'ours', 1, await timeIt(() => alignFace(frame, face.landmarks).release(), s)));
  rows.push(row('embed, per face', 'ours', threads, await timeIt(() => embedder.embed(aligned), s)));
  rows.push(row('anti-spoof, per face', 'ours', threads, await timeIt(() => spoof.score(frame, [face]), s)));

  opts.log('[vision] whole frames');
  const dflt = await load();
  const frameRow = async (stage: string, image: Mat, o: AnalyzeOptions = {}): Promise<BenchRow> => {
    const faces = (await dflt.analyze(image, o)).length;
    const t = await timeIt(() => dflt.analyze(image, o), s);
    return row(stage, 'ours', threads, t, { faces, fps: 1000 / t.median });
  };
  rows.push(await frameRow('frame 640×480, 1 face (defaults)', frame));
  rows.push(await frameRow('frame 1280×886, 6 faces (defaults)', group));
  rows.push(await frameRow('frame 640×480, 1 face, detect at 320', frame, { detectorMaxSide: 320 }));
  rows.push(await frameRow('frame 640×480, 1 face, detect at 320, no refine', frame, { detectorMaxSide: 320, refineLandmarks: false }));
  rows.push(await frameRow('frame 640×480, 1 face, detect+refine+align+embed (no anti-spoof)', frame, { antispoof: false }));
  await dflt.close();
  // The engine's configuration: models in the inference pool, a frame's independent runs spread over its workers.
  const workers = os.availableParallelism();
  const pooled = await load({ workers });
  for (const [stage, image] of [['frame 640×480, 1 face (defaults)', frame], ['frame 1280×886, 6 faces (defaults)', group]] as const) {
    const t = await timeIt(() => pooled.analyze(image), s);
    rows.push(row(`${stage}, inference pool of ${workers} workers`, 'ours', threads, t, { faces: (await pooled.analyze(image)).length, fps: 1000 / t.median }));
  }
  await pooled.close();
  rows.push({ stage: 'peak RSS, default pipeline in its own process (MB)', value: peakRssOfPipeline(framePath, groupPath, s) });

  opts.log('[vision] ours vs OpenCV DNN');
  const square = frame.copyMakeBorder(0, 160, 0, 0, cv.BORDER_CONSTANT, new cv.Vec3(0, 0, 0)); // 640×640, same pixels
  const cvModels = new OpenCvModels();
  rows.push({ stage: 'embedding agreement ours vs OpenCV (cosine)', impl: 'both', value: cosine(await embedder.embed(aligned), cvModels.embed(aligned)) });
  for (const t of [1, 2]) {
    cv.setNumThreads(t);
    const d = await FaceDetector.load(MODELS, { threads: t }, { ...DETECTOR, maxSide: 640 });
    const e = await FaceEmbedder.load(MODELS, { threads: t }, false);
    const cvDet = await timeIt(() => cvModels.detect(frame), s);
    const cvEmb = await timeIt(() => cvModels.embed(aligned), s);
    const cvFrame = await timeIt(() => { const [f] = cvModels.detect(frame); const a = alignFace(frame, f.landmarks); cvModels.embed(a); a.release(); }, s);
    const ourSq = await timeIt(() => d.detect(square), s);
    const ourDet = await timeIt(() => d.detect(frame), s);
    const ourEmb = await timeIt(() => e.embed(aligned), s);
    const ourFrame = await timeIt(async () => { const [f] = await d.detect(frame); const a = alignFace(frame, f.landmarks); await e.embed(a); a.release(); }, s);
    rows.push(row('detect 640×640 (letterboxed frame)', 'opencv-dnn', t, cvDet));
    rows.push(row('detect 640×640 (letterboxed frame)', 'ours', t, ourSq, { ratio: ourSq.median / cvDet.median }));
    rows.push(row('detect 640×480 (ours) vs 640×640 (OpenCV)', 'ours', t, ourDet, { ratio: ourDet.median / cvDet.median }));
    rows.push(row('embed, per face', 'opencv-dnn', t, cvEmb));
    rows.push(row('embed, per face', 'ours', t, ourEmb, { ratio: ourEmb.median / cvEmb.median }));
    rows.push(row('detect+align+embed, 1 face', 'opencv-dnn', t, cvFrame));
    rows.push(row('detect+align+embed, 1 face', 'ours', t, ourFrame, { ratio: ourFrame.median / cvFrame.median }));
    await d.close();
    await e.close();
  }
  for (const m of [det640, det320, embedder, spoof]) await m.close();
  return rows;
}

/**
 * Peak RSS of a fresh process that loads the default pipeline and analyses both frames for a while:
 * this process's own peak would count the other bench sections and the extra sessions loaded here.
 */
function peakRssOfPipeline(framePath: string, groupPath: string, seconds: number): number {
  // With the engine's malloc and V8 settings, as the engine always runs.
  const r = spawnSync(process.execPath, [...ENGINE_NODE_FLAGS, '--import', 'tsx', fileURLToPath(import.meta.url), RSS_PROBE, framePath, groupPath, String(seconds)],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...MALLOC_ENV } });
  const mb = Number(/peak-rss-mb=(\d+)/.exec(r.stdout)?.[1]);
  if (r.status !== 0 || !Number.isFinite(mb)) throw new Error(`RSS probe failed (${r.status}): ${r.stderr.slice(-500)}`);
  return mb;
}

const RSS_PROBE = '--rss-probe';
if (process.argv[2] === RSS_PROBE && process.argv[1] === fileURLToPath(import.meta.url)) {
  const [frame, group, seconds] = process.argv.slice(3);
  const vision = await VisionPipeline.load({ modelsDir: MODELS });
  const bytes = [fs.readFileSync(frame), fs.readFileSync(group)];
  const end = performance.now() + Number(seconds) * 2000;
  for (let i = 0; performance.now() < end; i++) await vision.analyzeBytes(bytes[i % 2]);
  await vision.close();
  // VmHWM, not getrusage's maxRSS: Linux carries the forking parent's peak into a child's maxRSS at exec, so after
  // the gallery section (1M templates in the bench process) this printed 1,001–1,064 MB whatever the probe used.
  const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.existsSync('/proc/self/status') ? fs.readFileSync('/proc/self/status', 'utf8') : '')?.[1];
  console.log(`peak-rss-mb=${Math.round((hwm ? Number(hwm) : process.resourceUsage().maxRSS) / 1024)}`);
}
