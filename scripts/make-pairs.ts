// `tsx scripts/make-pairs.ts [--faces DIR] [--out FILE] [--seed N]`: regenerates tests/fixtures/faces-pairs.tsv.
// Every same-person pair within the identity folders (deepface_, faceapi_, fr_, sun_, yyw_; files
// with `_sameshot` skipped, being resized copies of one shot), then as many different-person pairs,
// drawn uniformly over images with a seeded RNG so the file is reproducible.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PREFIXES = ['deepface_', 'faceapi_', 'fr_', 'sun_', 'yyw_'];
const IMAGE = /\.(jpe?g|png)$/i;

/** mulberry32: tiny, seedable, good enough to pick pairs. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makePairs(facesDir: string, seed: number): string[] {
  const identities = fs.readdirSync(facesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && PREFIXES.some((p) => d.name.startsWith(p)))
    .map((d) => d.name).sort();
  const images = identities.map((id) => fs.readdirSync(path.join(facesDir, id))
    .filter((f) => IMAGE.test(f) && !f.includes('_sameshot')).sort().map((f) => `${id}/${f}`));
  const lines: string[] = [];
  for (const files of images) {
    for (let i = 0; i < files.length; i++) for (let j = i + 1; j < files.length; j++) lines.push(`${files[i]}\t${files[j]}\t1`);
  }
  const all = images.flatMap((files, id) => files.map((f) => ({ f, id })));
  const random = rng(seed);
  const seen = new Set<string>();
  const same = lines.length;
  while (lines.length < 2 * same) {
    const x = all[Math.floor(random() * all.length)], y = all[Math.floor(random() * all.length)];
    const key = [x.f, y.f].sort().join('\t');
    if (x.id === y.id || seen.has(key)) continue;
    seen.add(key);
    lines.push(`${x.f}\t${y.f}\t0`);
  }
  return lines;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { faces: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string', default: '20240601' } } });
  const facesDir = path.resolve(values.faces ?? process.env.FACES_DIR ?? path.resolve(ROOT, '../shared/faces'));
  const out = path.resolve(values.out ?? path.join(ROOT, 'tests/fixtures/faces-pairs.tsv'));
  const lines = makePairs(facesDir, Number(values.seed));
  fs.writeFileSync(out, lines.join('\n') + '\n');
  console.log(`${lines.length} pairs (${lines.length / 2} same, ${lines.length / 2} different) → ${path.relative(process.cwd(), out)}`);
}
