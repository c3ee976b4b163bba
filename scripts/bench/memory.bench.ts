// Engine memory as a school runs it: the production build (`npm run build`, plain node, as `npm start`
// runs it) on a fresh SQLite database, RSS read from /proc. Idle with the models loaded; again with 1,000
// students (3 templates each) and one camera running (a looped 640x480 file); over BENCH_MEMORY_FRAMES
// (default 10,000) recognitions through POST /recognize with the camera still running (growth from
// the 1,000th frame to the last); and with 4 cameras. Capture processes (one per camera, each with its
// own OpenCV) are reported apart from the engine process.
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Camera, FaceTemplate, REPO_ROOT, Student, TemplateCipher, loadConfig, openDatabase } from '@attendance/shared';
import { MALLOC_ENV, buildCompiled } from '../lib/commands.mjs';
import { freePort } from '../../tests/helpers/spawn.js';
import { launchEngine, prepareDatabase, type TestEngine } from '../../tests/helpers/engine.js';
import type { BenchOptions, BenchRow } from '../bench.js';

export const name = 'memory';

const FACES = process.env.FACES_DIR ?? path.resolve(REPO_ROOT, '../shared/faces');
const FRAMES = Number(process.env.BENCH_MEMORY_FRAMES ?? 10_000);
/** A loaded machine may not get through FRAMES in reasonable time: the run stops here and says how far it got. */
const MAX_SECONDS = Number(process.env.BENCH_MEMORY_MAX_SECONDS ?? 600);

const rssMb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
const children = (pid: number): number[] => {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch { return []; }
};
const childrenRss = (pid: number): number => children(pid).reduce((a, c) => a + (Number.isFinite(rssMb(c)) ? rssMb(c) : 0), 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function seedStudents(env: NodeJS.ProcessEnv, count: number): Promise<void> {
  const cfg = loadConfig(env);
  const { dataSource } = await openDatabase(cfg, { migrate: false });
  try {
    const cipher = new TemplateCipher(cfg.templateKey, cfg.TEMPLATE_KEY_ID);
    let seed = 7;
    const unit = () => {
      const v = new Float32Array(128);
      for (let i = 0; i < 128; i++) { seed = (seed * 1664525 + 1013904223) >>> 0; v[i] = seed / 2 ** 32 - 0.5; }
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    };
    const now = new Date();
    const students = await dataSource.getRepository(Student).save(Array.from({ length: count }, (_, i) => ({
      name: `Bench Student ${i}`, rollNumber: `BENCH-${i}`, active: true, consentAt: now, enrolledAt: now,
    })), { chunk: 200 });
    const rows = students.flatMap((s) => [0, 1, 2].map(() => {
      const id = crypto.randomUUID();
      return { id, studentId: s.id, pose: 'upload' as const, modelId: 'mobilefacenet_foamliu', quality: 1, ciphertext: cipher.encrypt(unit(), s.id, id), keyId: cfg.TEMPLATE_KEY_ID };
    }));
    for (let i = 0; i < rows.length; i += 300) await dataSource.getRepository(FaceTemplate).insert(rows.slice(i, i + 300));
  } finally {
    await dataSource.destroy();
  }
}

async function addCameras(env: NodeJS.ProcessEnv, video: string, count: number): Promise<number[]> {
  const { dataSource } = await openDatabase(loadConfig(env), { migrate: false });
  try {
    const saved = await dataSource.getRepository(Camera).save(Array.from({ length: count }, (_, i) => ({ name: `Bench ${i}`, room: `B${i}`, source: `file:${video}?loop=1`, enabled: false })));
    return saved.map((c) => c.id);
  } finally {
    await dataSource.destroy();
  }
}

export async function run(opts: BenchOptions): Promise<BenchRow[]> {
  const frameFile = path.join(FACES, 'yyw_caijin/capture_100.jpg');
  if (!fs.existsSync(frameFile)) {
    opts.log(`  SKIPPED: face fixtures not found at ${FACES} (set FACES_DIR)`);
    return [{ stage: 'skipped', note: `no photos at ${FACES}` }];
  }
  opts.log('  building the engine (tsc)');
  for (const warning of buildCompiled(REPO_ROOT)) opts.log(`  WARNING: ${warning.split('\n')[0]}`);
  const dir = fs.mkdtempSync(path.join(process.env.TEST_TMP_DIR ?? os.tmpdir(), 'bench-memory-'));
  const video = path.join(dir, 'cam.mp4');
  execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-loop', '1', '-t', '4', '-r', '25', '-i', path.join(FACES, 'fr_obama/obama-720p_sameshot.jpg'),
    '-vf', 'scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2,format=yuv420p', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '25', video]);
  const rows: BenchRow[] = [];
  let engine: TestEngine | null = null;
  const row = (stage: string, e: TestEngine, extra: BenchRow = {}) => {
    const pid = e.proc.child.pid!;
    const r: BenchRow = { stage, 'engine RSS MB': rssMb(pid), 'capture processes RSS MB': childrenRss(pid), ...extra };
    opts.log(`  ${stage}: ${JSON.stringify(r)}`);
    rows.push(r);
    return r;
  };
  try {
    // The environment `npm start` gives the engine (scripts/start.mjs).
    const env = await prepareDatabase({ ENGINE_PORT: String(await freePort()), LOG_LEVEL: 'error', ...MALLOC_ENV });
    engine = await launchEngine(env, { compiled: true, healthTimeoutMs: 300_000 });
    await sleep(3000);
    row('idle, models loaded, no students', engine);
    await engine.stop();
    engine = null;

    opts.log('  seeding 1,000 students × 3 templates');
    await seedStudents(env, 1000);
    const cams = await addCameras(env, video, 4);
    engine = await launchEngine(env, { compiled: true, healthTimeoutMs: 300_000 });
    await sleep(3000);
    row('idle, 1,000 students (3,000 templates)', engine);
    const token = await engine.token('admin');
    const start = async (id: number) => {
      const res = await fetch(`${engine!.url}/api/v1/detection/start`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ camera_id: id }) });
      if (!res.ok) throw new Error(`camera ${id} did not start: ${res.status} ${await res.text()}`);
    };
    await start(cams[0]);
    await sleep(10_000);
    row('1,000 students, 1 camera running (10 s)', engine);

    opts.log(`  ${FRAMES} recognitions over HTTP (4 connections), camera still running`);
    const frame = fs.readFileSync(frameFile);
    let done = 0;
    let at1k = NaN;
    const samples: number[] = [];
    const pid = engine.proc.child.pid!;
    const r = await new Promise<autocannon.Result>((resolve, reject) => {
      const runner = autocannon({
        url: `${engine!.url}/api/v1/recognize`, method: 'POST', connections: 4, amount: FRAMES, timeout: 30,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' }, body: frame,
      }, (err, result) => { clearTimeout(cap); if (err) reject(err); else resolve(result); });
      const cap = setTimeout(() => runner.stop(), MAX_SECONDS * 1000);
      runner.on('response', () => {
        done++;
        if (done === Math.min(1000, FRAMES)) at1k = rssMb(pid);
        if (done % 1000 === 0) samples.push(rssMb(pid));
      });
    });
    const end = rssMb(pid);
    row(`after ${done} frames${done < FRAMES ? ` (stopped after ${MAX_SECONDS} s)` : ''} (1,000th frame: ${at1k.toFixed(0)} MB)`, engine, {
      'growth from 1,000th frame %': ((end - at1k) / at1k) * 100, 'max sample MB': Math.max(...samples), 'non-2xx': r.non2xx, errors: r.errors,
    });
    for (const id of cams.slice(1)) await start(id);
    await sleep(15_000);
    row('1,000 students, 4 cameras running (15 s)', engine);
  } finally {
    await engine?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
