// The engine's bounded analysis line, on a real engine process: large images cannot exhaust memory,
// a full line answers 503 with Retry-After, and /health keeps answering throughout.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { face, facesAvailable, FACES_DIR } from '../helpers/faces.js';
import { startEngine, type TestEngine } from '../helpers/engine.js';

/** RSS of a process and all its descendants (tsx runs the engine in a child of the spawned process), MB. */
function treeRssMb(pid: number): number {
  let kb = 0;
  try {
    kb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    for (const c of fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) kb += treeRssMb(Number(c)) * 1024;
  } catch { /* the process ended between two reads */ }
  return kb / 1024;
}

async function recognize(engine: TestEngine, token: string, jpeg: Buffer) {
  const body = new Uint8Array(jpeg);
  const res = await fetch(`${engine.url}/api/v1/recognize`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' }, body });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() as { error?: string; faces?: unknown[] } };
}

/** Polls /health and the RSS of the engine while `work` runs: every health check must answer 200. */
async function watch<T>(engine: TestEngine, work: Promise<T>): Promise<{ result: T; peakMb: number; healthChecks: number }> {
  let peakMb = 0, healthChecks = 0, done = false;
  const watcher = (async () => {
    while (!done) {
      peakMb = Math.max(peakMb, treeRssMb(engine.proc.child.pid!));
      const h = await fetch(`${engine.url}/health`);
      assert.equal(h.status, 200, '/health answers while images are analysed');
      healthChecks++;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const result = await work.finally(() => { done = true; });
  await watcher;
  return { result, peakMb, healthChecks };
}

describe('bounded inference', { skip: !facesAvailable && `face fixtures missing at ${FACES_DIR}` }, () => {
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(process.env.TEST_TMP_DIR ?? os.tmpdir(), 'big-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('16 concurrent large-dimension JPEGs keep RSS bounded and /health answers', async () => {
    // 6000×4000 (24 MP, the default limit): 72 MB each once decoded; the issue saw 4.7 GB for 16 of these.
    const big = path.join(dir, 'big.jpg');
    execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=6000x4000:rate=1', '-frames:v', '1', '-q:v', '20', big]);
    const jpeg = fs.readFileSync(big);
    // 7000×4000 is over the default limit (made now: a connection left idle while ffmpeg runs may be closed).
    const huge = path.join(dir, 'huge.jpg');
    execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=size=7000x4000:rate=1', '-frames:v', '1', huge]);
    const engine = await startEngine();
    try {
      const token = await engine.token('staff');
      const before = treeRssMb(engine.proc.child.pid!);
      const { result, peakMb, healthChecks } = await watch(engine, Promise.all(Array.from({ length: 16 }, () => recognize(engine, token, jpeg))));
      for (const r of result) assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.ok(healthChecks >= 1);
      // Generous: at most 2 × workers images are decoded at once (72 MB each), never all 16.
      assert.ok(peakMb - before < 1200, `RSS grew by ${Math.round(peakMb - before)} MB (from ${Math.round(before)} MB)`);
      // Over the pixel limit: refused from the header, before decoding, with a JSON 422.
      const refused = await recognize(engine, token, fs.readFileSync(huge));
      assert.equal(refused.status, 422);
    } finally {
      await engine.stop();
    }
  });

  test('a full analysis line answers 503 with Retry-After, and the engine keeps serving', async () => {
    const engine = await startEngine({ VISION_WORKERS: '1', VISION_MAX_QUEUED: '0' });
    try {
      const token = await engine.token('staff');
      const frame = face('yyw_caijin/capture_100.jpg');
      const { result } = await watch(engine, Promise.all(Array.from({ length: 16 }, () => recognize(engine, token, frame))));
      const busy = result.filter((r) => r.status === 503);
      const ok = result.filter((r) => r.status === 200);
      assert.equal(busy.length + ok.length, 16, `only 200 or 503: ${result.map((r) => r.status).join(',')}`);
      assert.ok(busy.length >= 1, 'two analyses at a time and no waiting line: some of 16 at once are refused');
      assert.ok(ok.length >= 2, 'the admitted ones are answered');
      for (const b of busy) {
        assert.equal(b.body.error, 'busy');
        assert.ok(Number(b.retryAfter) >= 1, 'Retry-After header');
      }
      // Once the line is free again, the same request succeeds.
      const again = await recognize(engine, token, frame);
      assert.equal(again.status, 200);
      assert.equal(again.body.faces?.length, 1);
    } finally {
      await engine.stop();
    }
  });
});
