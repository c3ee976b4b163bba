// Recognize over HTTP on loopback at 1, 4 and 16 connections: requests per second, latency and any
// non-2xx answer with autocannon (bounded duration), against the same frame through the vision pipeline
// in this process, one frame at a time on the calling thread (the reference: what the model work alone
// allows on one core), so the ratios show what the server and its inference pool add.
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { REPO_ROOT } from '@attendance/shared';
import { MALLOC_ENV, buildCompiled } from '../lib/commands.mjs';
import { launchEngine, prepareDatabase } from '../../tests/helpers/engine.js';
import { freePort } from '../../tests/helpers/spawn.js';
import { VisionPipeline } from '../../ai-engine/src/vision/index.js';
import { timeIt, type BenchOptions, type BenchRow } from '../bench.js';

export const name = 'engine-http';

const FACES = process.env.FACES_DIR ?? path.resolve(import.meta.dirname, '../../../shared/faces');

export async function run(opts: BenchOptions): Promise<BenchRow[]> {
  const frameFile = path.join(FACES, 'yyw_caijin/capture_100.jpg');
  if (!fs.existsSync(frameFile)) {
    opts.log(`  SKIPPED: face fixtures not found at ${FACES} (set FACES_DIR)`);
    return [];
  }
  const frame = fs.readFileSync(frameFile);
  // The engine as `npm start` runs it: compiled, with its malloc settings. A loaded machine can take minutes
  // to start an engine: the bench waits, the tests do not.
  for (const warning of buildCompiled(REPO_ROOT)) opts.log(`  WARNING: ${warning.split('\n')[0]}`);
  const env = await prepareDatabase({ ENGINE_PORT: String(await freePort()), LOG_LEVEL: 'error', ...MALLOC_ENV });
  const engine = await launchEngine(env, { compiled: true, healthTimeoutMs: 300_000 });
  try {
    const token = await engine.token('staff');
    const enroll = await fetch(`${engine.url}/api/v1/enroll`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Bench', roll_number: 'B-1', consent: { given_by: 'bench', relationship: 'self', method: 'digital', policy_version: 'bench' }, photos: ['capture_200.jpg', 'capture_300.jpg'].map((f) => fs.readFileSync(path.join(FACES, 'yyw_caijin', f)).toString('base64')) }),
    });
    if (enroll.status !== 201) throw new Error(`bench enrolment failed: ${enroll.status} ${await enroll.text()}`);
    const rows: BenchRow[] = [];
    const vision = await VisionPipeline.load({ modelsDir: path.resolve(import.meta.dirname, '../../models') });
    const direct = await timeIt(() => vision.analyzeBytes(frame), opts.seconds * 2);
    await vision.close();
    let single = NaN;
    for (const connections of [1, 4, 16]) {
      opts.log(`  autocannon, ${connections} connection(s)`);
      // autocannon's summary has no p95: take every response time and compute it exactly.
      const times: number[] = [];
      const r = await new Promise<autocannon.Result>((resolve, reject) => {
        const run = autocannon({
          url: `${engine.url}/api/v1/recognize`, method: 'POST', connections, duration: Math.max(3, opts.seconds * 3),
          headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' }, body: frame,
        }, (err, result) => (err ? reject(err) : resolve(result)));
        run.on('response', (_client, _status, _bytes, ms) => times.push(ms));
      });
      times.sort((a, b) => a - b);
      const pct = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
      if (connections === 1) single = r.requests.average;
      rows.push({
        'POST /recognize 640x480, 1 face': `${connections} conn`, 'req/s': r.requests.average, [`× 1 conn`]: r.requests.average / single,
        'p50 ms': pct(0.5), 'p95 ms': pct(0.95), 'p99 ms': pct(0.99), 'non-2xx': r.non2xx, errors: r.errors + r.timeouts,
        'pipeline-only req/s (reference)': 1000 / direct.median, 'http/pipeline': r.requests.average / (1000 / direct.median),
      });
    }
    return rows;
  } finally {
    await engine.stop();
  }
}
