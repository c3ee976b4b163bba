// Camera loops on this machine: N concurrent 640x480 streams at 25 fps, each read by its own capture
// process and analysed through one VisionPipeline with the engine's inference pool (one worker per core),
// each stream pulling its newest frame whenever its previous analysis is done (detect, refine, quality,
// embed, anti-spoof). Two sources at every N, one after the other: the same video from a local GStreamer
// RTSP server (real RTP/RTSP over TCP, what a school camera sends) and as a looped file paced at 25 fps
// (the reference). Reports analysed fps per stream and frame-to-result latency (capture time → analysis done).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '@attendance/shared';
import { CaptureSource } from '../../ai-engine/src/cameras/sources/capture-source.js';
import type { SourceSpec } from '../../ai-engine/src/cameras/sources/source.js';
import { VisionPipeline, cv } from '../../ai-engine/src/vision/index.js';
import { startRtsp } from '../../tests/helpers/rtsp.js';
import type { BenchOptions, BenchRow } from '../bench.js';

export const name = 'cameras';

const STREAMS = [1, 2, 4, 6];
const TARGET_FPS = 8;
const FACES_DIR = process.env.FACES_DIR ?? path.resolve(REPO_ROOT, '../shared/faces');

/** 20 s of two face photos alternating every 2 s, 640x480 at 25 fps, H.264 with a keyframe every second. */
function makeVideo(dir: string): string {
  const out = path.join(dir, 'bench-640x480-25fps.mp4');
  const photos = ['fr_obama/obama-720p_sameshot.jpg', '_group/fr_two_people.jpg'];
  const inputs = photos.flatMap((p) => ['-loop', '1', '-t', '2', '-r', '25', '-i', path.join(FACES_DIR, p)]);
  const scale = photos.map((_, i) => `[${i}:v]scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=25,format=yuv420p[v${i}]`).join(';');
  execFileSync('ffmpeg', ['-y', '-loglevel', 'error', ...inputs, '-filter_complex', `${scale};[v0][v1]concat=n=2:v=1:a=0,loop=4:100[out]`,
    '-map', '[out]', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '25', '-pix_fmt', 'yuv420p', out]);
  return out;
}

const pct = (xs: number[], q: number) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN; };

async function measure(vision: VisionPipeline, spec: SourceSpec, n: number, seconds: number): Promise<{ fps: number[]; latencies: number[] }> {
  const sources = await Promise.all(Array.from({ length: n }, () => CaptureSource.open(spec, 60_000)));
  const counts = new Array<number>(n).fill(0);
  const latencies: number[] = [];
  const warmEnd = performance.now() + 2000;
  const end = warmEnd + seconds * 1000;
  try {
    await Promise.all(sources.map(async (src, i) => {
      while (performance.now() < end) {
        const f = await src.next();
        const image = new cv.Mat(Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength), f.rows, f.cols, cv.CV_8UC3);
        try {
          await vision.analyze(image, { embed: true, antispoof: true });
        } finally {
          image.release();
        }
        if (performance.now() < warmEnd) continue;
        counts[i]++;
        latencies.push(Date.now() - f.at);
      }
    }));
  } finally {
    sources.forEach((s) => s.close());
  }
  return { fps: counts.map((c) => c / seconds), latencies };
}

export async function run(opts: BenchOptions): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(process.env.TEST_TMP_DIR ?? os.tmpdir(), 'bench-cameras-'));
  const workers = os.availableParallelism();
  const vision = await VisionPipeline.load({ modelsDir: process.env.MODELS_DIR ?? path.join(REPO_ROOT, 'models'), threads: opts.threads, workers });
  const rows: BenchRow[] = [];
  let rtsp: Awaited<ReturnType<typeof startRtsp>> | null = null;
  try {
    const video = makeVideo(dir);
    rtsp = await startRtsp(video);
    const seconds = Math.max(5, Math.min(10, opts.seconds * 8));
    for (const n of STREAMS) {
      const results: Record<string, { fps: number[]; latencies: number[] }> = {};
      for (const [kind, spec] of [['rtsp', { kind: 'stream', uri: rtsp.url }], ['file', { kind: 'file', path: video, loop: true }]] as const) {
        opts.log(`  ${n} ${kind} stream(s), ${seconds} s`);
        results[kind] = await measure(vision, spec, n, seconds);
      }
      for (const kind of ['rtsp', 'file'] as const) {
        const { fps, latencies } = results[kind];
        const minFps = Math.min(...fps);
        rows.push({
          streams: n, source: kind === 'rtsp' ? 'RTSP (GStreamer server)' : 'file, 25 fps (reference)',
          'min fps/stream': minFps, 'mean fps/stream': fps.reduce((a, b) => a + b, 0) / n,
          'latency p50 ms': pct(latencies, 0.5), 'latency p95 ms': pct(latencies, 0.95),
          'rtsp/file fps': kind === 'rtsp' ? minFps / Math.min(...results.file.fps) : null,
          [`all ≥ ${TARGET_FPS} fps`]: minFps >= TARGET_FPS ? 'yes' : 'no',
        });
      }
      if (Math.min(...results.rtsp.fps) < TARGET_FPS / 2) break; // more streams would only be slower
    }
    rows.push({ streams: `inference workers: ${workers}` });
  } finally {
    await rtsp?.stop();
    await vision.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
