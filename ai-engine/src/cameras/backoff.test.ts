import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff, sleep } from './backoff.js';

test('backoff doubles from 1 s and is capped at 60 s, with jitter in [base/2, base]', () => {
  const top = new Backoff(1000, 60_000, () => 1);
  assert.deepEqual(Array.from({ length: 9 }, () => top.next()), [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  const bottom = new Backoff(1000, 60_000, () => 0);
  assert.deepEqual([bottom.next(), bottom.next(), bottom.next()], [500, 1000, 2000]);
  bottom.reset();
  assert.equal(bottom.next(), 500);
  const random = new Backoff();
  for (let i = 0; i < 50; i++) { const d = random.next(); assert.ok(d >= 500 && d <= 60_000, String(d)); }
});

test('sleep ends early when aborted', async () => {
  const ac = new AbortController();
  const t0 = Date.now();
  setTimeout(() => ac.abort(), 20);
  await sleep(5000, ac.signal);
  assert.ok(Date.now() - t0 < 1000);
});
