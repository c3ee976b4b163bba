// One capture per child process: VideoCapture's open and read block, so they never run on the uWS loop.
// A process, not a worker thread: the OpenCV binding is not context-aware, and loading it in a second
// thread of the engine corrupts the engine's own Mat classes. A process also keeps a crashing
// driver away from the server. The child reads continuously (draining the stream's buffer) and keeps only the newest frame; the camera
// loop asks for a frame when it is free and gets the newest one, so latency never builds up.
import type { SourceSpec } from './source.js';
import type { ToCapture, FromCapture } from './capture-protocol.js';

const spec = JSON.parse(process.env.CAPTURE_SOURCE_SPEC ?? 'null') as SourceSpec;
const post = (m: FromCapture) => { process.send?.(m); };
const describe = (e: unknown) => (e instanceof Error ? e.message : String(e));

process.env.OPENCV4NODEJS_DISABLE_AUTOBUILD ??= '1';
process.env.OPENCV4NODEJS_DISABLE_EXTERNAL_MEM_TRACKING ??= '1';
const { Log } = await import('@u4/opencv-build');
Log.silence = true;
const cv = (await import('@u4/opencv4nodejs')).default;

let latest: { data: Buffer; rows: number; cols: number; seq: number; at: number } | null = null;
let sentSeq = 0;
let wanted = false;
let closing = false;

process.on('message', (m: ToCapture) => {
  if (m.type === 'close') closing = true;
  else if (m.type === 'pull') { wanted = true; flush(); }
});

function flush(): void {
  if (!wanted || !latest || latest.seq === sentSeq) return;
  wanted = false;
  sentSeq = latest.seq;
  post({ type: 'frame', ...latest });
}

const tick = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  let cap: InstanceType<typeof cv.VideoCapture>;
  try {
    cap = new cv.VideoCapture(spec.kind === 'usb' ? spec.device : spec.kind === 'file' ? spec.path : spec.uri);
  } catch (e) {
    // The binding throws a non-Error (often a string) when the capture cannot open.
    post({ type: 'error', message: `cannot open: ${describe(e)}`, fatal: spec.kind === 'file' });
    return;
  }
  const width = cap.get(cv.CAP_PROP_FRAME_WIDTH);
  const height = cap.get(cv.CAP_PROP_FRAME_HEIGHT);
  const fps = cap.get(cv.CAP_PROP_FPS);
  // Files would otherwise be read as fast as the CPU allows; play them at their own frame rate instead.
  const frameMs = spec.kind === 'file' ? 1000 / (fps > 0 && fps < 240 ? fps : 25) : 0;
  let opened = false;
  let seq = 0;
  let next = performance.now();
  while (!closing) {
    let mat;
    try {
      mat = cap.read();
    } catch (e) {
      post({ type: 'error', message: `read failed: ${describe(e)}`, fatal: false });
      break;
    }
    if (mat.empty) {
      if (spec.kind === 'file' && spec.loop && seq > 0) { cap.set(cv.CAP_PROP_POS_FRAMES, 0); await tick(); continue; }
      post(opened ? { type: 'ended' } : { type: 'error', message: 'no frame could be read', fatal: spec.kind === 'file' });
      break;
    }
    if (!opened) { opened = true; post({ type: 'opened', width: mat.cols || width, height: mat.rows || height, fps }); }
    const bgr = mat.channels === 3 ? mat : mat.cvtColor(mat.channels === 4 ? cv.COLOR_BGRA2BGR : cv.COLOR_GRAY2BGR);
    latest = { data: bgr.getData(), rows: bgr.rows, cols: bgr.cols, seq: ++seq, at: Date.now() };
    flush();
    if (frameMs) { next += frameMs; const wait = next - performance.now(); if (wait > 0) await sleep(wait); else { next = performance.now(); await tick(); } }
    else await tick();
  }
  cap.release();
}

// The parent going away ends the child too (the IPC channel closes).
process.on('disconnect', () => process.exit(0));
main().catch((e: unknown) => post({ type: 'error', message: describe(e), fatal: false })).finally(() => process.disconnect?.());
