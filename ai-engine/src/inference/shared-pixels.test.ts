import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SharedPixels } from './shared-pixels.js';

test('shared pixel memory is reused only once released, per size', () => {
  const pixels = new SharedPixels();
  const a = pixels.lease(100), b = pixels.lease(100);
  assert.ok(a.bytes.buffer instanceof SharedArrayBuffer);
  assert.notEqual(a.bytes.buffer, b.bytes.buffer, 'two leases held at once never share memory');
  a.release();
  a.release(); // idempotent: the memory is not handed out twice
  const c = pixels.lease(100), d = pixels.lease(100);
  assert.equal(c.bytes.buffer, a.bytes.buffer, 'released memory is reused');
  assert.notEqual(d.bytes.buffer, a.bytes.buffer);
  assert.equal(pixels.lease(200).bytes.length, 200, 'another size gets its own memory');
});
