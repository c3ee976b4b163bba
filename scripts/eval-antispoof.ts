// `npx tsx scripts/eval-antispoof.ts [--images ../shared/faces] [--lfw ../shared/lfw-a-i]`: how the anti-spoof
// model (MiniFASNetV2 through the product's VisionPipeline) judges every live-capture set: BPCER (real faces
// judged spoof) on the webcam captures (`yyw_*/capture_*`), every frame of the videos (`_videos`) and the real
// sample of `_antispoof`; APCER (attacks judged real) on the attacks of `_antispoof`; and, for contrast, the
// share of ordinary still photos (LFW, news photos of real people) judged spoof. At several thresholds on P(real).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { VisionPipeline, cv } from '../ai-engine/src/vision/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const THRESHOLDS = [0.2, 0.3, 0.5, 0.7];
const { values } = parseArgs({ options: {
  images: { type: 'string', default: path.resolve(ROOT, '../shared/faces') },
  lfw: { type: 'string', default: path.resolve(ROOT, '../shared/lfw-a-i') },
  'lfw-max': { type: 'string', default: '600' },
} });

const vision = await VisionPipeline.load({ modelsDir: path.join(ROOT, 'models') });
const failures: string[] = [];
/** P(real) of the largest face in each image (frames without a face are left out). */
async function scores(images: Iterable<{ image: ReturnType<VisionPipeline['decode']> }>): Promise<number[]> {
  const out: number[] = [];
  for (const { image } of images) {
    try {
      const [face] = await vision.analyze(image, { embed: false, antispoof: true, maxFaces: 1 });
      if (face?.real !== undefined) out.push(face.real);
    } catch (err) {
      failures.push(`${image.cols}x${image.rows}: ${err instanceof Error ? err.message : String(err)}`.slice(0, 200));
    } finally {
      image.release();
    }
  }
  return out;
}
const files = (list: string[]) => list.map((f) => ({ image: vision.decode(fs.readFileSync(f)) }));
function* frames(video: string) {
  const cap = new cv.VideoCapture(video);
  for (let m = cap.read(); !m.empty; m = cap.read()) yield { image: m };
  cap.release();
}

const dir = values.images;
const yyw = fs.readdirSync(dir).filter((d) => d.startsWith('yyw_')).flatMap((d) => fs.readdirSync(path.join(dir, d)).filter((f) => f.startsWith('capture_')).map((f) => path.join(dir, d, f)));
const anti = fs.readdirSync(path.join(dir, '_antispoof')).map((f) => path.join(dir, '_antispoof', f));
const sets: Array<{ name: string; kind: 'real' | 'attack'; scores: number[] }> = [
  { name: `webcam captures yyw_*/capture_* (${yyw.length})`, kind: 'real', scores: await scores(files(yyw)) },
];
for (const v of fs.readdirSync(path.join(dir, '_videos')).filter((f) => f.endsWith('.mp4'))) {
  sets.push({ name: `video ${v} (every frame)`, kind: 'real', scores: await scores(frames(path.join(dir, '_videos', v))) });
}
sets.push({ name: '_antispoof real (silentface_real_image_T1)', kind: 'real', scores: await scores(files(anti.filter((f) => /real/.test(path.basename(f))))) });
sets.push({ name: '_antispoof attacks (silentface F1, F2, insightface fake)', kind: 'attack', scores: await scores(files(anti.filter((f) => /spoof|fake/.test(path.basename(f))))) });
if (fs.existsSync(values.lfw)) {
  const lfw = fs.readdirSync(values.lfw).sort().flatMap((p) => fs.readdirSync(path.join(values.lfw, p)).map((f) => path.join(values.lfw, p, f))).slice(0, Number(values['lfw-max']));
  sets.push({ name: `still news photos, LFW (first ${lfw.length}; not a live capture)`, kind: 'real', scores: await scores(files(lfw)) });
}
await vision.close();

console.log(`| set | faces | ${THRESHOLDS.map((t) => `P(real) < ${t}`).join(' | ')} |`);
console.log(`|---|---|${THRESHOLDS.map(() => '---').join('|')}|`);
for (const s of sets) {
  const rate = (t: number) => (s.kind === 'real' ? s.scores.filter((x) => x < t) : s.scores.filter((x) => x >= t)).length / Math.max(1, s.scores.length);
  const label = s.kind === 'real' ? 'BPCER' : 'APCER';
  console.log(`| ${s.name} | ${s.scores.length} | ${THRESHOLDS.map((t) => `${label} ${(100 * rate(t)).toFixed(1)}%`).join(' | ')} |`);
}
if (failures.length) console.log(`analysis FAILED on ${failures.length} image(s): ${[...new Set(failures)].join('; ')}`);
console.log(`(APCER counts attacks with P(real) ≥ threshold, i.e. judged real; min/median P(real) per set: ${sets.map((s) => { const v = [...s.scores].sort((a, b) => a - b); return `${v[0]?.toFixed(2)}/${v[v.length >> 1]?.toFixed(2)}`; }).join(', ')})`);
