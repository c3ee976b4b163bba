// A real RTSP server (GStreamer's RTSPServer under /usr/bin/python3) serving an mp4, and the test video itself.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, run, type Running } from './spawn.js';
import { FACES_DIR } from './faces.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const exec = promisify(execFile);

export interface RtspServer { url: string; port: number; stop(): Promise<void>; restart(): Promise<void> }

/** Starts the server on a free port (or `port`, to bring a killed one back at the same address). */
export async function startRtsp(video: string, port?: number): Promise<RtspServer> {
  const p = port ?? (await freePort());
  let proc: Running = await launch(video, p);
  return {
    url: `rtsp://127.0.0.1:${p}/cam`, port: p,
    stop: async () => { await proc.stop('SIGKILL'); },
    restart: async () => { proc = await launch(video, p); },
  };
}

async function launch(video: string, port: number): Promise<Running> {
  const proc = run('/usr/bin/python3', [path.join(ROOT, 'tests/fixtures/rtsp-server.py'), video, String(port)], { cwd: ROOT, env: process.env });
  await proc.waitFor(/ready/, 15_000);
  return proc;
}

/**
 * An H.264 mp4 slideshow of face photos, each letterboxed to 640x480 and shown for `secondsEach`,
 * written to TEST_TMP_DIR (never into the repository).
 */
export async function makeSlideshow(photos: string[], opts: { secondsEach?: number; fps?: number; name?: string } = {}): Promise<string> {
  const seconds = opts.secondsEach ?? 2;
  const fps = opts.fps ?? 10;
  const dir = fs.mkdtempSync(path.join(process.env.TEST_TMP_DIR ?? os.tmpdir(), 'video-'));
  const out = path.join(dir, opts.name ?? 'slideshow.mp4');
  const inputs = photos.flatMap((p) => ['-loop', '1', '-t', String(seconds), '-r', String(fps), '-i', path.join(FACES_DIR, p)]);
  const scale = photos.map((_, i) => `[${i}:v]scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${fps},format=yuv420p[v${i}]`);
  const filter = `${scale.join(';')};${photos.map((_, i) => `[v${i}]`).join('')}concat=n=${photos.length}:v=1:a=0[out]`;
  await exec('ffmpeg', ['-y', '-loglevel', 'error', ...inputs, '-filter_complex', filter, '-map', '[out]',
    '-c:v', 'libx264', '-preset', 'veryfast', '-g', String(fps), '-pix_fmt', 'yuv420p', out]);
  return out;
}
