import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateLimitedError } from '@attendance/shared';
import { RateLimiter } from './rate-limiter.js';

test('a key is refused after max failures until its window passes', () => {
  let now = 0;
  const rl = new RateLimiter(2, 60_000, () => now);
  rl.check('a'); rl.hit('a'); rl.hit('a');
  assert.throws(() => rl.check('a'), (e: unknown) => e instanceof RateLimitedError && e.retryAfterSeconds === 60);
  rl.check('b');
  now = 60_001;
  rl.check('a');
  rl.hit('a');
  rl.check('a');
  rl.reset('a');
  rl.hit('a'); rl.hit('a');
  assert.throws(() => rl.check('a'), RateLimitedError);
});
