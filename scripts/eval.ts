// `npm run eval -- --pairs FILE --images DIR [--json]`: face-verification accuracy of the vision
// pipeline on labelled pairs (lines `relpathA<TAB>relpathB<TAB>1|0`). Reports 10-fold accuracy
// (threshold chosen on 9 folds, tested on the 10th), the threshold at FAR 1e-3 and the TAR there,
// ROC AUC, and how many images had no face (their pairs score −1, i.e. count as "different").
// Ablation switches: --flip on|off, --refine on|off, --pad-retry on|off, --max-side N,
// --pick largest|central, --threads N.
// `npm run eval -- --open-set --images DIR [--k 3] [--set NAME=VALUE]...`: open-set identification through
// the product's own enrolment and /recognize (scripts/eval-open-set.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_MATCH_THRESHOLD, VisionPipeline, cosine, type FaceAnalysis } from '../ai-engine/src/vision/index.js';
import { printOpenSet, runOpenSet } from './eval-open-set.js';
import { bestThreshold, kFoldAccuracy, meanScore, pairImages, readPairs, rocAuc, tarAtFar, type Pair, type ScoredPair } from '../ai-engine/src/vision/verification.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const onOff = (v: string | undefined, name: string): boolean | undefined => {
  if (v === undefined) return undefined;
  if (v !== 'on' && v !== 'off') throw new Error(`--${name} takes on|off`);
  return v === 'on';
};

/** The face nearest the image centre, weighted by size: for photos of one person among others. */
function central(faces: FaceAnalysis[], width: number, height: number): FaceAnalysis | undefined {
  const cost = (f: FaceAnalysis): number => Math.hypot(f.box[0] + f.box[2] / 2 - width / 2, f.box[1] + f.box[3] / 2 - height / 2) / Math.sqrt(f.box[2] * f.box[3]);
  return [...faces].sort((a, b) => cost(a) - cost(b))[0];
}

function rates(scores: ScoredPair[], threshold: number): { threshold: number; tar: number; far: number } {
  const same = scores.filter((s) => s.same), diff = scores.filter((s) => !s.same);
  return { threshold, tar: same.filter((s) => s.score > threshold).length / same.length, far: diff.filter((s) => s.score > threshold).length / diff.length };
}

/** AUC per photo source (folder prefix): its same pairs against the different pairs touching it. */
function aucBySource(pairs: Pair[], scores: ScoredPair[]): Record<string, number> {
  const source = (rel: string): string => rel.split('_')[0];
  const sources = [...new Set(pairs.flatMap((p) => [source(p.a), source(p.b)]))].sort();
  return Object.fromEntries(sources.map((src) => [src, rocAuc(scores.filter((_, i) => {
    const p = pairs[i];
    return p.same ? source(p.a) === src : source(p.a) === src || source(p.b) === src;
  }))]));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pairs: { type: 'string', default: path.join(ROOT, 'tests/fixtures/faces-pairs.tsv') },
      images: { type: 'string', default: process.env.FACES_DIR ?? path.resolve(ROOT, '../shared/faces') },
      json: { type: 'boolean', default: false },
      threads: { type: 'string' }, flip: { type: 'string' }, refine: { type: 'string' }, 'pad-retry': { type: 'string' }, 'max-side': { type: 'string' },
      pick: { type: 'string', default: 'largest' },
      'open-set': { type: 'boolean', default: false }, k: { type: 'string', default: '3' }, set: { type: 'string', multiple: true, default: [] },
      'max-enrolled': { type: 'string' }, 'max-strangers': { type: 'string' },
    },
  });
  if (values['open-set']) {
    const settings = Object.fromEntries(values.set.map((kv) => { const i = kv.indexOf('='); if (i < 1) throw new Error(`--set takes NAME=VALUE, got ${kv}`); return [kv.slice(0, i), kv.slice(i + 1)]; }));
    const report = await runOpenSet({
      images: values.images, k: Number(values.k), settings,
      maxEnrolled: values['max-enrolled'] ? Number(values['max-enrolled']) : undefined, maxStrangers: values['max-strangers'] ? Number(values['max-strangers']) : undefined,
      progress: (line) => process.stderr.write(`${line}\n`),
    });
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else printOpenSet(report, values.images);
    return;
  }
  if (values.pick !== 'largest' && values.pick !== 'central') throw new Error('--pick takes largest|central');
  const pairs = readPairs(values.pairs);
  const files = pairImages(pairs, values.images);
  const started = performance.now();
  const vision = await VisionPipeline.load({
    modelsDir: path.join(ROOT, 'models'),
    threads: values.threads ? Number(values.threads) : undefined,
    flipTta: onOff(values.flip, 'flip'),
    padRetry: onOff(values['pad-retry'], 'pad-retry'),
    refineLandmarks: onOff(values.refine, 'refine'),
    detectorMaxSide: values['max-side'] ? Number(values['max-side']) : undefined,
  });
  const embeddings = new Map<string, Float32Array>();
  const noFace: string[] = [];
  for (const file of files) {
    const image = vision.decode(fs.readFileSync(file));
    const faces = await vision.analyze(image, { antispoof: false, maxFaces: values.pick === 'largest' ? 1 : undefined });
    const face = values.pick === 'largest' ? faces[0] : central(faces, image.cols, image.rows);
    if (face?.embedding) embeddings.set(file, face.embedding);
    else noFace.push(path.relative(values.images, file));
  }
  const seconds = (performance.now() - started) / 1000;
  const scores: ScoredPair[] = pairs.map((p) => {
    const a = embeddings.get(path.join(values.images, p.a)), b = embeddings.get(path.join(values.images, p.b));
    return { score: a && b ? cosine(a, b) : -1, same: p.same };
  });
  const folds = kFoldAccuracy(scores, 10);
  const report = {
    modelId: vision.modelId,
    options: { threads: vision.options.threads, flipTta: vision.options.flipTta, refineLandmarks: vision.options.refineLandmarks, padRetry: vision.options.padRetry, detectorMaxSide: vision.options.detectorMaxSide, pick: values.pick },
    pairs: { total: scores.length, same: scores.filter((s) => s.same).length, different: scores.filter((s) => !s.same).length },
    images: files.length,
    noFace: noFace.length,
    noFaceImages: noFace,
    pairsWithoutFace: pairs.filter((p) => noFace.includes(p.a) || noFace.includes(p.b)).length,
    tenFold: { accuracy: folds.mean, std: folds.std, meanThreshold: folds.thresholds.reduce((a, b) => a + b, 0) / folds.thresholds.length },
    bestSingleThreshold: bestThreshold(scores),
    far1e3: tarAtFar(scores, 1e-3),
    atDefault: rates(scores, DEFAULT_MATCH_THRESHOLD),
    auc: rocAuc(scores),
    aucBySource: aucBySource(pairs, scores),
    meanCosine: { same: meanScore(scores, true), different: meanScore(scores, false) },
    seconds,
  };
  await vision.close();
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;
  console.log(`model ${report.modelId}  ${JSON.stringify(report.options)}`);
  console.log(`pairs ${report.pairs.total} (${report.pairs.same} same / ${report.pairs.different} different), images ${report.images}, no face in ${report.noFace} image(s) → ${report.pairsWithoutFace} pair(s) scored −1`);
  if (noFace.length) console.log(`  no face: ${noFace.join(', ')}`);
  console.log(`10-fold accuracy   ${pct(folds.mean)} ± ${pct(folds.std)}  (mean threshold ${report.tenFold.meanThreshold.toFixed(3)})`);
  console.log(`best single thr.   ${pct(report.bestSingleThreshold.accuracy)} at cos > ${report.bestSingleThreshold.threshold.toFixed(3)}`);
  console.log(`FAR 1e-3           cos > ${report.far1e3.threshold.toFixed(3)}: TAR ${report.far1e3.tar.toFixed(3)} (FAR ${report.far1e3.far.toFixed(4)})`);
  console.log(`default threshold  cos > ${report.atDefault.threshold.toFixed(3)}: TAR ${report.atDefault.tar.toFixed(3)}, FAR ${report.atDefault.far.toFixed(4)}`);
  console.log(`ROC AUC            ${report.auc.toFixed(4)}; mean cosine same ${report.meanCosine.same.toFixed(3)}, different ${report.meanCosine.different.toFixed(3)}`);
  console.log(`AUC by source      ${Object.entries(report.aucBySource).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}`);
  console.log(`time               ${seconds.toFixed(1)} s`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
