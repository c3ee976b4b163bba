// Camera loops on this machine: N concurrent 640x480 streams at 25 fps (looped file sources, paced at
// their frame rate like a live camera, each decoded in its own capture process), each pulling its newest
// frame whenever the previous analysis is done (detect, quality, embed, anti-spoof). Reports the analysed
// frame rate per stream and frame-to-result latency (capture time → analysis done), and the largest N
// that keeps every stream at ≥ 5 analysed fps.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '@attendance/shared';
import { CaptureSource } from '../../ai-engine/src/cameras/sources/capture-source.js';
import { VisionPipeline, cv } from '../../ai-engine/src/vision/index.js';
import type { BenchOptions, BenchRow } from '../bench.js';

export const name = 'cameras';

const STREAMS = [1, 2, 3, 4, 6];
const TARGET_FPS = 5;
const FACES_DIR = process.env.FACES_DIR ?? path.resolve(REPO_ROOT, '../shared/faces');

function makeVideo(dir: string): string {
  const out = path.join(dir, 'bench-640x480-25fps.mp4');
  const photos = ['fr_obama/obama-720p_sameshot.jpg', '_group/fr_two_people.jpg'];
  const inputs = photos.flatMap((p) => ['-loop', '1', '-t', '2', '-r', '25', '-i', path.join(FACES_DIR, p)]);
  const scale = photos.map((_, i) => `[${i}:v]scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=25,format=yuv420p[v${i}]`).join(';');
  execFileSync('ffmpeg', ['-y', '-loglevel', 'error', ...inputs, '-filter_complex', `${scale};[v0][v1]concat=n=2:v=1:a=0[out]`,
    '-map', '[out]', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '25', out]);
  return out;
}

const pct = (xs: number[], q: number) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN; };

export async function run(opts: BenchOptions): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(process.env.TEST_TMP_DIR ?? os.tmpdir(), 'bench-cameras-'));
  const vision = await VisionPipeline.load({ modelsDir: process.env.MODELS_DIR ?? path.join(REPO_ROOT, 'models'), threads: opts.threads });
  const rows: BenchRow[] = [];
  try {
    const video = makeVideo(dir);
    // Each run is short: about 2 s of warm-up and `measure` s counted, so the section stays under a minute.
    const measure = Math.max(4, Math.min(8, opts.seconds * 6));
    let best = 0;
    for (const n of STREAMS) {
      opts.log(`  ${n} stream(s), ${measure} s`);
      const sources = await Promise.all(Array.from({ length: n }, () => CaptureSource.open({ kind: 'file', path: video, loop: true }, 20_000)));
      const counts = new Array<number>(n).fill(0);
      const latencies: number[] = [];
      const warmEnd = performance.now() + 2000;
      const end = warmEnd + measure * 1000;
      await Promise.all(sources.map(async (src, i) => {
        while (performance.now() < end) {
          const f = await src.next();
          const image = new cv.Mat(Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength), f.rows, f.cols, cv.CV_8UC3);
          await vision.analyze(image, { embed: true, antispoof: true });
          image.release();
          if (performance.now() < warmEnd) continue;
          counts[i]++;
          latencies.push(Date.now() - f.at);
        }
      }));
      sources.forEach((s) => s.close());
      const fps = counts.map((c) => c / measure);
      const minFps = Math.min(...fps);
      if (minFps >= TARGET_FPS) best = n;
      rows.push({ streams: n, 'min fps/stream': minFps, 'mean fps/stream': fps.reduce((a, b) => a + b, 0) / n, 'latency p50 ms': pct(latencies, 0.5), 'latency p95 ms': pct(latencies, 0.95), [`all ≥ ${TARGET_FPS} fps`]: minFps >= TARGET_FPS ? 'yes' : 'no' });
      if (minFps < TARGET_FPS / 2) break; // more streams would only be slower
    }
    rows.push({ streams: `max at ≥ ${TARGET_FPS} fps: ${best}` });
  } finally {
    await vision.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
