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

test('released memory kept is bounded in bytes: the sizes used longest ago are given up first', () => {
  const pixels = new SharedPixels(1000);
  const leases = [100, 100, 300, 300, 500].map((n) => pixels.lease(n));
  for (const l of leases) l.release();
  assert.ok(pixels.keptBytes <= 1000, `kept ${pixels.keptBytes}`);
  const fresh = pixels.lease(100);
  assert.ok(!leases.slice(0, 2).some((l) => l.bytes.buffer === fresh.bytes.buffer), 'the oldest size was given up for the newer ones');
  assert.equal(pixels.lease(500).bytes.buffer, leases[4].bytes.buffer, 'the newest size is still there');
  pixels.lease(2000).release(); // larger than the whole budget: never kept
  assert.ok(pixels.keptBytes <= 1000);
});
