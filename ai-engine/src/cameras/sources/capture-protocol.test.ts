import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameReader, frameHeader, type FrameHead } from './capture-protocol.js';

test('frames are reassembled whole from any chunking of the pipe', () => {
  const frames = [1, 2, 3].map((seq) => ({ seq, data: Buffer.alloc(seq * 1000 + 7, seq) }));
  const wire = Buffer.concat(frames.flatMap((f) => [frameHeader(f.seq, 2, 3, f.data.length, 1234.5 + f.seq), f.data]));
  for (const chunkSize of [1, 5, 24, 25, 999, wire.length]) {
    const got: Array<{ head: FrameHead; data: Buffer }> = [];
    const reader = new FrameReader((head, data) => got.push({ head, data: Buffer.from(data) })); // valid until the next frame
    for (let i = 0; i < wire.length; i += chunkSize) reader.push(wire.subarray(i, i + chunkSize));
    assert.equal(got.length, 3, `chunks of ${chunkSize}`);
    got.forEach((g, i) => {
      assert.deepEqual(g.head, { seq: frames[i].seq, rows: 2, cols: 3, length: frames[i].data.length, at: 1234.5 + frames[i].seq });
      assert.ok(g.data.equals(frames[i].data));
    });
  }
});

test('the payload buffer is reused: a frame is valid until the next one arrives', () => {
  // Larger than half of Buffer.poolSize, so that separate buffers could not come from one shared pool slab.
  const [big, small] = [64 * 48 * 3, 32 * 48 * 3];
  const seen: Buffer[] = [];
  const reader = new FrameReader((_head, data) => seen.push(data));
  for (const [seq, fill] of [[1, 7], [2, 9], [3, 5]] as const) {
    const length = seq === 3 ? small : big;
    reader.push(Buffer.concat([frameHeader(seq, 48, length / 144, length, 0), Buffer.alloc(length, fill)]));
  }
  assert.equal(seen[1].buffer, seen[0].buffer, 'same memory for frames of one size');
  assert.equal(seen[2].buffer, seen[0].buffer, 'and for a smaller one');
  assert.equal(seen[2].length, small);
  assert.ok(seen[2].equals(Buffer.alloc(small, 5)));
});
