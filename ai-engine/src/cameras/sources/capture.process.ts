// One capture per child process: VideoCapture's open and read block, so they never run on the uWS loop.
// A process, not a worker thread: the OpenCV binding is not context-aware, and loading it in a second
// thread of the engine corrupts the engine's own Mat classes. A process also keeps a crashing
// driver away from the server. The child reads continuously (draining the stream's buffer) and keeps only
// the newest frame; the camera loop asks for a frame when it is free and gets the newest one, so latency
// never builds up. Reads run on the libuv pool (readAsync), so this process's event loop stays free to
// answer a pull and to write the frame pipe while the next frame is being read.
import net from 'node:net';
import type { SourceSpec } from './source.js';
import { FRAME_FD, frameHeader, type ToCapture, type FromCapture } from './capture-protocol.js';

// The engine going away (exit, crash, kill -9) closes the IPC channel: end at once and quietly, releasing the
// stream. Listened for before anything slow (loading OpenCV), so a parent lost meanwhile is noticed too.
const parentGone = () => process.exit(0);
process.on('disconnect', parentGone);
if (!process.connected) parentGone();
// Belt and braces: an orphan is re-parented (to init or a subreaper), whatever happened to the channel.
const parentPid = process.ppid;
setInterval(() => { if (process.ppid !== parentPid) parentGone(); }, 1000).unref();

const spec = JSON.parse(process.env.CAPTURE_SOURCE_SPEC ?? 'null') as SourceSpec;
/** To the engine; with it gone there is no one to tell (an unguarded send would throw ERR_IPC_CHANNEL_CLOSED). */
const post = (m: FromCapture) => {
  if (process.connected) process.send?.(m, undefined, undefined, (err) => { if (err) parentGone(); });
};
const describe = (e: unknown) => (e instanceof Error ? e.message : String(e));
const frames = new net.Socket({ fd: FRAME_FD, readable: false, writable: true });
frames.on('error', parentGone); // the engine closed its end: nothing left to do

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

/** Sends the newest frame if the loop asked for one and it has not seen it: at most one frame is ever in the pipe. */
function flush(): void {
  if (!wanted || !latest || latest.seq === sentSeq) return;
  wanted = false;
  sentSeq = latest.seq;
  const { data, rows, cols, seq, at } = latest;
  frames.write(frameHeader(seq, rows, cols, data.length, at));
  frames.write(data);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** A stream with no frame for this long has ended (the camera loop reconnects). */
const STREAM_SILENCE_MS = 10_000;
/** Pause after an empty read of a live stream: short against a frame interval (40 ms at 25 fps), long against a busy loop. */
const EMPTY_READ_PAUSE_MS = 4;

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
  let lastFrameAt = performance.now();
  while (!closing) {
    let mat;
    try {
      mat = await cap.readAsync();
    } catch (e) {
      post({ type: 'error', message: `read failed: ${describe(e)}`, fatal: false });
      break;
    }
    if (mat.empty) {
      mat.release();
      if (spec.kind === 'file' && spec.loop && seq > 0) { cap.set(cv.CAP_PROP_POS_FRAMES, 0); continue; }
      // A live stream answers "no frame yet" with an empty read between frames (measured here on RTSP:
      // thousands per second); only a long silence means it ended.
      if (spec.kind !== 'file' && performance.now() - lastFrameAt < STREAM_SILENCE_MS) { await sleep(EMPTY_READ_PAUSE_MS); continue; }
      post(opened ? { type: 'ended' } : { type: 'error', message: 'no frame could be read', fatal: spec.kind === 'file' });
      break;
    }
    lastFrameAt = performance.now();
    if (!opened) { opened = true; post({ type: 'opened', width: mat.cols || width, height: mat.rows || height, fps }); }
    const bgr = mat.channels === 3 ? mat : mat.cvtColor(mat.channels === 4 ? cv.COLOR_BGRA2BGR : cv.COLOR_GRAY2BGR);
    latest = { data: bgr.getData(), rows: bgr.rows, cols: bgr.cols, seq: ++seq, at: Date.now() };
    // getData() copied the pixels; V8 does not see Mat memory, so free the frame now rather than at some GC.
    if (bgr !== mat) bgr.release();
    mat.release();
    flush();
    if (frameMs) { next += frameMs; const wait = next - performance.now(); if (wait > 0) await sleep(wait); else next = performance.now(); }
  }
  cap.release();
}

main().catch((e: unknown) => post({ type: 'error', message: describe(e), fatal: false })).finally(() => { if (process.connected) process.disconnect?.(); });
