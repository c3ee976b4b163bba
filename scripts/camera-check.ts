// `npm run camera:check -- <source> [--seconds N]`: opens a camera source (rtsp://…, usb:N, file:…) the
// way the engine does, and reports resolution, frame rates and the faces seen. Nothing is written to disk.
// The models are read from MODELS_DIR, else the running installation's (DATA_DIR/runtime.json), else ./models.
import { parseArgs } from 'node:util';
import { REPO_ROOT, readRuntimeFile } from '@attendance/shared';
import path from 'node:path';
import { CaptureSource } from '../ai-engine/src/cameras/sources/capture-source.js';
import { parseSource, redactSource } from '../ai-engine/src/cameras/sources/source.js';
import { VisionPipeline, cv } from '../ai-engine/src/vision/index.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { seconds: { type: 'string', default: '5' }, 'open-timeout': { type: 'string', default: '20' } } });
if (!positionals[0]) {
  console.error('usage: npm run camera:check -- <rtsp://… | usb:N | file:/path/video.mp4> [--seconds 5] [--open-timeout 20]');
  process.exit(2);
}
const spec = parseSource(positionals[0]);
const seconds = Number(values.seconds);
console.log(`opening ${redactSource(positionals[0])} …`);
const t0 = performance.now();
const runtime = readRuntimeFile(process.env.DATA_DIR || path.join(REPO_ROOT, 'data'));
const vision = await VisionPipeline.load({ modelsDir: process.env.MODELS_DIR || runtime?.settings.MODELS_DIR || path.join(REPO_ROOT, 'models') });
let source: CaptureSource;
try {
  source = await CaptureSource.open(spec, Number(values['open-timeout']) * 1000);
} catch (err) {
  console.error(`FAILED to open: ${(err as Error).message}`);
  console.error('hints: check the URL, credentials and that the camera is reachable (ffprobe <url>); RTSP uses TCP here.');
  await vision.close();
  process.exit(1);
}
console.log(`opened in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${source.info.width}x${source.info.height}, declared ${source.info.fps || '?'} fps`);
const start = performance.now();
let first = 0;
let last = 0;
let analysed = 0;
let withFaces = 0;
let maxFaces = 0;
try {
  while (performance.now() - start < seconds * 1000) {
    const f = await source.next();
    first ||= f.seq;
    last = f.seq;
    const image = new cv.Mat(Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength), f.rows, f.cols, cv.CV_8UC3);
    const faces = await vision.analyze(image, { embed: false, antispoof: false });
    image.release();
    analysed++;
    if (faces.length) withFaces++;
    maxFaces = Math.max(maxFaces, faces.length);
  }
} catch (err) {
  console.error(`the source failed while reading: ${(err as Error).message}`);
} finally {
  source.close();
}
const elapsed = (performance.now() - start) / 1000;
console.log(`read ${last - first + 1} frames (${((last - first + 1) / elapsed).toFixed(1)} fps), analysed ${analysed} (${(analysed / elapsed).toFixed(1)} fps)`);
console.log(`faces: seen in ${withFaces} of ${analysed} analysed frames, at most ${maxFaces} at once`);
await vision.close();
process.exit(analysed ? 0 : 1);
