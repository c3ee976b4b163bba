import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { test } from 'node:test';
import type { DataSource } from 'typeorm';
import { createLogger, type CameraState } from '@attendance/shared';
import { Publisher } from '../transport/ws/publisher.js';
import { Backoff } from './backoff.js';
import { CameraLoop, type FrameSource } from './camera-loop.js';
import { CameraStats } from './camera-stats.js';
import { SourceError, type RawFrame } from './sources/capture-source.js';

const log = createLogger('test', { level: 'silent' });
const info = { width: 4, height: 2, fps: 25 };
const frame = (seq: number): RawFrame => ({ data: new Uint8Array(4 * 2 * 3), rows: 2, cols: 4, seq, at: Date.now() });

/** A source that gives `frames` frames, then hangs (a stuck stream) or fails (a dropped one). */
function fakeSource(frames: number, then: 'hang' | 'drop'): FrameSource {
  let seq = 0;
  return {
    info,
    next: () => (seq < frames ? new Promise((r) => setTimeout(() => r(frame(++seq)), 5))
      : then === 'hang' ? new Promise(() => undefined) : Promise.reject(new SourceError('ended', 'the stream ended'))),
    close: () => undefined,
  };
}

function harness(opens: Array<() => Promise<FrameSource>>, watchdogMs = 200) {
  const states: CameraState[] = [];
  let analysed = 0;
  const stats = new CameraStats(null, { db: {} as DataSource, publisher: new Publisher() });
  let i = 0;
  const loop = new CameraLoop({ kind: 'stream', uri: 'rtsp://fake' }, { analyze: async () => { analysed++; return { faces: [], marks: [], recognitions: 0 }; } }, stats, {
    state: (s) => { if (states.at(-1) !== s) states.push(s); },
    analysed: () => undefined,
  }, { inferEvery: 1, watchdogMs, openTimeoutMs: 1000, backoff: new Backoff(10, 40, () => 1), open: () => opens[Math.min(i++, opens.length - 1)]() }, log);
  return { loop, states, analysed: () => analysed, opened: () => i };
}

test('a dropped stream reconnects with backoff; a failed open is retried; stop ends with a typed reason', async () => {
  const h = harness([async () => fakeSource(3, 'drop'), () => Promise.reject(new SourceError('unavailable', 'refused')), async () => fakeSource(1000, 'hang')]);
  const ac = new AbortController();
  const done = h.loop.run(ac.signal);
  while (h.opened() < 3 || h.analysed() < 4) await new Promise((r) => setTimeout(r, 10));
  ac.abort();
  assert.deepEqual(await done, { kind: 'requested' });
  assert.deepEqual(h.states, ['starting', 'running', 'reconnecting', 'running', 'stopped']);
});

test('the watchdog restarts a loop whose source stops delivering frames', async () => {
  const h = harness([async () => fakeSource(2, 'hang')], 150);
  const ac = new AbortController();
  const done = h.loop.run(ac.signal);
  const t0 = Date.now();
  while (h.opened() < 3 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10));
  ac.abort();
  await done;
  assert.ok(h.opened() >= 3, `reopened after stalls: ${h.opened()}`);
  assert.ok(h.states.includes('reconnecting'));
});

test('a file that ends without looping stops for good', async () => {
  const states: CameraState[] = [];
  const stats = new CameraStats(null, { db: {} as DataSource, publisher: new Publisher() });
  const loop = new CameraLoop({ kind: 'file', path: '/x.mp4', loop: false }, { analyze: async () => ({ faces: [], marks: [], recognitions: 0 }) }, stats,
    { state: (s) => states.push(s), analysed: () => undefined }, { inferEvery: 2, watchdogMs: 1000, openTimeoutMs: 1000, open: async () => fakeSource(4, 'drop') }, log);
  assert.deepEqual(await loop.run(new AbortController().signal), { kind: 'ended' });
  assert.equal(states.at(-1), 'stopped');
});

test('a running loop keeps no frame it has finished with (memory stays flat over hours of frames)', async () => {
  // Measured: racing each frame against one long-lived "aborted" promise kept every frame alive
  // (900 KB each, 6 MB/s at 640x480) until the camera stopped.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const FRAMES = 300;
  const alive: Array<WeakRef<Uint8Array>> = [];
  let seq = 0;
  // 300 frames, then a pause with the loop still connected (its watchdog is far off), so nothing new arrives while
  // the garbage collector runs and the loop's own references are all there is.
  const source: FrameSource = {
    info,
    next: () => (seq >= FRAMES ? new Promise(() => undefined)
      : new Promise((r) => setImmediate(() => { const f = frame(++seq); alive.push(new WeakRef(f.data)); r(f); }))),
    close: () => undefined,
  };
  const h = harness([async () => source], 60_000);
  const ac = new AbortController();
  const done = h.loop.run(ac.signal);
  while (h.analysed() < FRAMES) await new Promise((r) => setTimeout(r, 5));
  for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 10)); }
  const kept = alive.slice(0, -2).filter((w) => w.deref()).length;
  ac.abort();
  await done;
  assert.equal(kept, 0, `${kept} of ${FRAMES - 2} finished frames are still referenced`);
});
