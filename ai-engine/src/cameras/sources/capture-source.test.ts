// The capture hand-off on a real capture process reading a real video file (made with ffmpeg).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CaptureSource } from './capture-source.js';

let dir: string;
let video: string;

before(() => {
  dir = fs.mkdtempSync(path.join(process.env.TEST_TMP_DIR ?? os.tmpdir(), 'capture-'));
  video = path.join(dir, 'testsrc-320x240-25fps.mp4');
  execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '4', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', video]);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the capture process hands over whole BGR frames, and the newest one wins', async () => {
  const source = await CaptureSource.open({ kind: 'file', path: video, loop: true }, 20_000);
  try {
    assert.deepEqual([source.info.width, source.info.height], [320, 240]);
    const first = await source.next();
    assert.equal(first.rows, 240);
    assert.equal(first.cols, 320);
    assert.equal(first.data.byteLength, 320 * 240 * 3);
    assert.ok(first.data.some((b) => b !== first.data[0]), 'real pixels, not an empty buffer');
    // Several frames are captured while nobody pulls; the next pull gets the newest, not the oldest queued.
    await new Promise((r) => setTimeout(r, 600));
    const later = await source.next();
    assert.ok(later.seq > first.seq + 3, `skipped the frames nobody asked for (seq ${first.seq} → ${later.seq})`);
    // Frames keep coming one pull at a time, each newer than the last.
    let seq = later.seq;
    for (let i = 0; i < 20; i++) {
      const f = await source.next();
      assert.ok(f.seq > seq);
      assert.equal(f.data.byteLength, 320 * 240 * 3);
      seq = f.seq;
    }
  } finally {
    source.close();
  }
});

test('a missing file fails to open with a typed, fatal error', async () => {
  await assert.rejects(CaptureSource.open({ kind: 'file', path: path.join(dir, 'missing.mp4'), loop: false }, 20_000), (e: Error & { kind?: string }) => e.kind === 'fatal');
});
