import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameReader, frameHeader, type FrameHead } from './capture-protocol.js';

test('frames are reassembled whole from any chunking of the pipe', () => {
  const frames = [1, 2, 3].map((seq) => ({ seq, data: Buffer.alloc(seq * 1000 + 7, seq) }));
  const wire = Buffer.concat(frames.flatMap((f) => [frameHeader(f.seq, 2, 3, f.data.length, 1234.5 + f.seq), f.data]));
  for (const chunkSize of [1, 5, 24, 25, 999, wire.length]) {
    const got: Array<{ head: FrameHead; data: Buffer }> = [];
    const reader = new FrameReader((head, data) => got.push({ head, data }));
    for (let i = 0; i < wire.length; i += chunkSize) reader.push(wire.subarray(i, i + chunkSize));
    assert.equal(got.length, 3, `chunks of ${chunkSize}`);
    got.forEach((g, i) => {
      assert.deepEqual(g.head, { seq: frames[i].seq, rows: 2, cols: 3, length: frames[i].data.length, at: 1234.5 + frames[i].seq });
      assert.ok(g.data.equals(frames[i].data));
    });
  }
});
