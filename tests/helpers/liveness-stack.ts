// The admin app (in this process) and a real engine process on ONE SQLite file and one JWT secret,
// with the engine's CORS allowing the admin origin; plus fake-webcam videos and a browser to show them.
import '../helpers/admin-env.js';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startAdminApp, type AdminUnderTest } from './admin-app.js';
import { fakeWebcam, launchChromium } from './browser.js';
import { prepareDatabase, waitHealthy } from './engine.js';
import { FACES_DIR } from './faces.js';
import { freePort, run, type Running } from './spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface LivenessStack { admin: AdminUnderTest; engineUrl: string; engine: Running; engineEnv: NodeJS.ProcessEnv; stop(): Promise<void> }

/** `adminEnv` adds admin-server settings (e.g. the HTTPS panel's TLS_SELF_SIGNED and HTTPS_PORT). */
export async function startLivenessStack(engineEnv: NodeJS.ProcessEnv = {}, adminEnv: NodeJS.ProcessEnv = {}): Promise<LivenessStack> {
  // Both servers read these from the environment; without them each would generate its own.
  process.env.JWT_SECRET ??= crypto.randomBytes(32).toString('hex');
  process.env.TEMPLATE_ENCRYPTION_KEY ??= crypto.randomBytes(32).toString('base64');
  const enginePort = await freePort();
  const engineUrl = `http://127.0.0.1:${enginePort}`;
  const admin = await startAdminApp('liveness', { engineUrl, env: adminEnv });
  try {
    const env = await prepareDatabase({ SQLITE_FILE: admin.config.sqliteFile, ENGINE_PORT: String(enginePort), CORS_ORIGINS: admin.url, ...engineEnv });
    const engine = run(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'ai-engine/src/main.ts')], { cwd: ROOT, env });
    await waitHealthy(engineUrl, engine);
    return { admin, engineUrl, engine, engineEnv: env, stop: async () => { await engine.stop('SIGTERM'); await admin.stop(); } };
  } catch (err) {
    await admin.stop();
    throw err;
  }
}

/** A fake-webcam video: each photo (relative to FACES_DIR) held for `seconds`, 640×480 at 10 fps. Chromium loops it. */
export function makeVideo(out: string, photos: string[], seconds = 2): string {
  const inputs = photos.flatMap((p) => ['-loop', '1', '-t', String(seconds), '-i', path.join(FACES_DIR, p)]);
  const scaled = photos.map((_, i) => `[${i}:v]scale=640:480,setsar=1,fps=10[v${i}];`).join('');
  const filter = `${scaled}${photos.map((_, i) => `[v${i}]`).join('')}concat=n=${photos.length}:v=1:a=0,format=yuv420p[out]`;
  const r = spawnSync('ffmpeg', ['-loglevel', 'error', '-y', ...inputs, '-filter_complex', filter, '-map', '[out]', '-r', '10', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg failed for ${out}: ${r.stderr || r.error?.message}`);
  return out;
}

/** Debian's Chromium, headless, with the video as its only camera (permission granted without a prompt). */
export async function launchWithWebcam(video: string): Promise<Browser> {
  return (await launchChromium(fakeWebcam(video))).browser;
}
