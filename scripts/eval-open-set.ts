// `npm run eval -- --open-set --images DIR [--k 3] [--set NAME=VALUE ...] [--json]`: open-set identification
// through the product itself. An engine runs in this process on a throwaway SQLite database and Redis; every
// identity folder with at least K+1 photos is enrolled with its first K photos over POST /api/v1/enroll (the
// same quality, duplicate and consistency checks as `npm run import:faces`), its next photo is probed over
// POST /api/v1/recognize, and every single-photo identity is probed as a stranger. The face a probe is of is
// picked by the product's subjectFace() (the one enrolment uses). Engine settings can be changed with
// `--set MATCH_TARGET_FPIR=0.003` etc.; the defaults are the product's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureFirstAdmin, openDatabase } from '@attendance/shared';
import { loadEngineConfig } from '../ai-engine/src/config.js';
import { createEngine } from '../ai-engine/src/engine.js';
import { subjectFace } from '../ai-engine/src/recognition/subject.js';
import type { RecognizedFace } from '../ai-engine/src/recognition/recognize.service.js';
import { readImageHeader } from '../ai-engine/src/vision/image.js';
import { startRedis } from './lib/redis.mjs';

const PHOTO = /\.(jpe?g|png|webp)$/i;
const consent = { given_by: 'evaluation', relationship: 'self', method: 'digital', policy_version: 'eval' };

export interface OpenSetOptions {
  images: string;
  /** Photos enrolled per identity. */
  k?: number;
  /** Engine settings (environment variables) over the defaults. */
  settings?: Record<string, string>;
  /** At most this many enrolled identities and strangers (first in name order): for quick runs and tests. */
  maxEnrolled?: number;
  maxStrangers?: number;
  progress?: (line: string) => void;
}

type Outcome = 'right' | 'wrong' | 'unknown' | 'spoof' | 'low_quality' | 'no_face';

export interface OpenSetReport {
  k: number;
  settings: Record<string, string>;
  operatingPoint: unknown;
  enrolment: { identities: number; enrolled: number; refusedDuplicate: number; refusedOther: number; noUsableFace: number; photosRejected: Record<string, number>; refusals: string[] };
  mated: Record<Outcome, number> & { total: number };
  strangers: { total: number; named: number; noFace: number; namedAs: string[] };
  /** FNIR when the threshold is set from the strangers' top scores for each FPIR (rank-1 decisions, no margin). */
  fnirAtFpir: Array<{ fpir: number; threshold: number; fnir: number }>;
  unknownReasons: Record<string, number>;
  seconds: number;
}

const listDir = (dir: string) => fs.readdirSync(dir).filter((n) => !n.startsWith('.') && !n.startsWith('_')).sort();

export async function runOpenSet(opts: OpenSetOptions): Promise<OpenSetReport> {
  const k = opts.k ?? 3;
  const say = opts.progress ?? (() => {});
  const started = performance.now();
  const people = listDir(opts.images)
    .filter((p) => fs.statSync(path.join(opts.images, p)).isDirectory())
    .map((p) => ({ name: p, photos: listDir(path.join(opts.images, p)).filter((f) => PHOTO.test(f)).map((f) => path.join(opts.images, p, f)) }));
  const enrolSet = people.filter((p) => p.photos.length >= k + 1).slice(0, opts.maxEnrolled);
  const strangerSet = people.filter((p) => p.photos.length === 1).slice(0, opts.maxStrangers);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eval-open-set-'));
  const redis = await startRedis();
  const password = `eval-${process.pid}-${Date.now()}`;
  const env = {
    ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: redis.url, NODE_ENV: 'development', LOG_LEVEL: 'error',
    QUEUE_PREFIX: `eval${process.pid}`, ADMIN_PASSWORD: password, ...opts.settings,
  };
  const config = loadEngineConfig(env);
  const { dataSource } = await openDatabase(config);
  await ensureFirstAdmin(dataSource, password);
  await dataSource.destroy();
  const engine = await createEngine(config);
  try {
    const url = `http://127.0.0.1:${await engine.listen(0)}`;
    const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const post = async (route: string, body: unknown) => {
      const res = await fetch(`${url}${route}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as any };
    };

    const enrolment: OpenSetReport['enrolment'] = { identities: enrolSet.length, enrolled: 0, refusedDuplicate: 0, refusedOther: 0, noUsableFace: 0, photosRejected: {}, refusals: [] };
    const enrolled = new Map<string, number>();
    for (const [i, p] of enrolSet.entries()) {
      const r = await post('/api/v1/enroll', { name: p.name, roll_number: p.name, consent, photos: p.photos.slice(0, k).map((f) => fs.readFileSync(f).toString('base64')) });
      const rejected: Array<{ reasons: string[] }> = r.body.rejected ?? r.body.details?.rejected ?? [];
      for (const x of rejected) for (const reason of x.reasons) enrolment.photosRejected[reason] = (enrolment.photosRejected[reason] ?? 0) + 1;
      if (r.status === 201) { enrolled.set(p.name, r.body.student_id); enrolment.enrolled++; }
      else if (r.status === 409 && r.body.details?.reason === 'matches_another_student') {
        enrolment.refusedDuplicate++;
        enrolment.refusals.push(`${p.name} ~ ${r.body.details.name} (${r.body.details.similarity})`);
      } else if (r.status === 422) enrolment.noUsableFace++;
      else { enrolment.refusedOther++; enrolment.refusals.push(`${p.name}: ${r.status} ${r.body.message}`); }
      if (i % 50 === 0) say(`enrolled ${i}/${enrolSet.length}`);
    }
    // In service the refit follows a change after a short debounce; here we wait for it before probing.
    await engine.gallery.calibration.refresh();
    const operatingPoint = engine.gallery.operatingPoint();

    const probe = async (file: string): Promise<RecognizedFace | undefined> => {
      const bytes = fs.readFileSync(file);
      const r = await post('/api/v1/recognize', { image: bytes.toString('base64') });
      if (r.status !== 200) throw new Error(`recognize ${file}: ${r.status} ${JSON.stringify(r.body)}`);
      const { width, height } = readImageHeader(bytes);
      return subjectFace(r.body.faces as RecognizedFace[], width, height).face;
    };
    const unknownReasons: Record<string, number> = {};
    const mated = { total: 0, right: 0, wrong: 0, unknown: 0, spoof: 0, low_quality: 0, no_face: 0 };
    const matedScores: number[] = []; // rank-1 similarity when rank 1 is the right student, else −∞
    for (const [name, studentId] of enrolled) {
      const photos = enrolSet.find((p) => p.name === name)!.photos;
      const f = await probe(photos[k]);
      mated.total++;
      const top = f?.candidates[0];
      matedScores.push(top && top.student_id === studentId ? top.similarity : -Infinity);
      const outcome: Outcome = !f ? 'no_face' : f.verdict === 'matched' ? (f.match!.student_id === studentId ? 'right' : 'wrong') : f.verdict;
      mated[outcome]++;
      if (outcome === 'unknown' && f?.reason) unknownReasons[f.reason] = (unknownReasons[f.reason] ?? 0) + 1;
      if (mated.total % 50 === 0) say(`probed ${mated.total}/${enrolled.size} enrolled`);
    }
    const strangers = { total: 0, named: 0, noFace: 0, namedAs: [] as string[] };
    const strangerScores: number[] = [];
    for (const p of strangerSet) {
      const f = await probe(p.photos[0]);
      strangers.total++;
      if (!f) strangers.noFace++;
      strangerScores.push(f?.candidates[0]?.similarity ?? -Infinity);
      if (f?.verdict === 'matched') { strangers.named++; strangers.namedAs.push(`${p.name} → ${f.match!.name} (${f.match!.similarity})`); }
      if (strangers.total % 200 === 0) say(`probed ${strangers.total}/${strangerSet.length} strangers`);
    }
    const sorted = [...strangerScores].sort((a, b) => b - a);
    const fnirAtFpir = [0.001, 0.003, 0.01].map((fpir) => {
      // The lowest threshold at which at most fpir of the strangers reach it.
      const allowed = Math.floor(fpir * sorted.length);
      const threshold = (sorted[allowed] ?? -1) + 1e-6;
      return { fpir, threshold: Math.round(threshold * 1000) / 1000, fnir: matedScores.filter((s) => !(s >= threshold)).length / Math.max(1, matedScores.length) };
    });
    return {
      k, settings: opts.settings ?? {}, operatingPoint, enrolment, mated, strangers, fnirAtFpir, unknownReasons,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await engine.close();
    await redis.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const pct = (n: number, d: number) => `${((100 * n) / Math.max(1, d)).toFixed(2)}%`;

export function printOpenSet(r: OpenSetReport, images: string): void {
  const { mated: m, strangers: s, enrolment: e } = r;
  const op = r.operatingPoint as { students: number; threshold: number; targetFpir: number; estimatedFpir: number; source: string; galleryTail: unknown };
  console.log(`open-set identification on ${images}: ${r.k} photos enrolled per identity, settings ${JSON.stringify(r.settings)}`);
  console.log(`operating point: ${op.students} students, threshold ${op.threshold} (${op.source}), target FPIR ${op.targetFpir}, estimated ${op.estimatedFpir}`);
  console.log(`gallery tail (leave-one-student-out): ${JSON.stringify(op.galleryTail)}`);
  console.log('');
  console.log('| FPIR | threshold | FNIR |');
  console.log('|---|---|---|');
  for (const x of r.fnirAtFpir) console.log(`| ${(x.fpir * 100).toFixed(1)}% | ${x.threshold.toFixed(3)} | ${(x.fnir * 100).toFixed(2)}% |`);
  console.log('');
  console.log('| with the settings above | count | share |');
  console.log('|---|---|---|');
  console.log(`| strangers named (of ${s.total}) | ${s.named} | ${pct(s.named, s.total)} |`);
  console.log(`| enrolled named right (of ${m.total}) | ${m.right} | ${pct(m.right, m.total)} |`);
  console.log(`| enrolled named wrong | ${m.wrong} | ${pct(m.wrong, m.total)} |`);
  console.log(`| enrolled unknown | ${m.unknown} | ${pct(m.unknown, m.total)} |`);
  console.log(`| enrolled judged spoof | ${m.spoof} | ${pct(m.spoof, m.total)} |`);
  console.log(`| enrolled low quality | ${m.low_quality} | ${pct(m.low_quality, m.total)} |`);
  console.log(`| enrolled, no face found | ${m.no_face} | ${pct(m.no_face, m.total)} |`);
  console.log(`| people refused as duplicates (of ${e.identities}) | ${e.refusedDuplicate} | ${pct(e.refusedDuplicate, e.identities)} |`);
  console.log(`| people with no usable enrolment photo | ${e.noUsableFace} | ${pct(e.noUsableFace, e.identities)} |`);
  console.log('');
  console.log(`enrolment photos rejected: ${JSON.stringify(e.photosRejected)}; other refusals ${e.refusedOther}`);
  console.log(`unknown reasons (enrolled): ${JSON.stringify(r.unknownReasons)}; strangers without a face: ${s.noFace}`);
  if (e.refusals.length) console.log(`refused: ${e.refusals.join('; ')}`);
  if (s.namedAs.length) console.log(`strangers named: ${s.namedAs.join('; ')}`);
  console.log(`time ${r.seconds.toFixed(0)} s`);
}
