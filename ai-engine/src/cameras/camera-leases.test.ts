import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planClaims, planHandovers } from './camera-leases.js';

test('unowned cameras go to the least loaded engines, by capacity; every engine computes the same plan', () => {
  const engines = [{ id: 'a', capacity: 4, running: 0 }, { id: 'b', capacity: 4, running: 0 }, { id: 'c', capacity: 4, running: 0 }];
  const plans = engines.map((e) => planClaims([6, 1, 2, 3, 4, 5], engines, e.id));
  assert.deepEqual(plans, [[1, 4], [2, 5], [3, 6]]);
  // A bigger engine takes a bigger share; a full one none.
  const mixed = [{ id: 'a', capacity: 8, running: 0 }, { id: 'b', capacity: 2, running: 0 }, { id: 'c', capacity: 1, running: 1 }];
  assert.equal(planClaims([1, 2, 3, 4, 5], mixed, 'a').length, 4);
  assert.deepEqual(planClaims([1, 2, 3, 4, 5], mixed, 'c'), []);
  // More cameras than room: the rest wait for an engine.
  assert.equal(planClaims([1, 2, 3], [{ id: 'a', capacity: 1, running: 0 }], 'a').length, 1);
});

test('an engine that joins gets cameras from the loaded ones until the load is even; a one-camera difference never moves', () => {
  const e = (id: string, running: number, capacity = 3) => ({ id, capacity, running });
  const joined = [e('a', 3), e('b', 3), e('c', 0)];
  assert.deepEqual(joined.map((x) => planHandovers(joined, x.id)), [1, 1, 0]);
  // Even, or off by one camera: nothing moves (moving would only swap who is ahead).
  for (const even of [[e('a', 2), e('b', 2), e('c', 2)], [e('a', 3), e('b', 2), e('c', 2)], [e('a', 1), e('b', 0)]]) {
    assert.deepEqual(even.map((x) => planHandovers(even, x.id)), even.map(() => 0));
  }
  // A few per pass from each engine, so a big imbalance evens out over several passes.
  const big = [e('a', 8, 8), e('b', 0, 8)];
  assert.equal(planHandovers(big, 'a'), 2);
  assert.equal(planHandovers(big, 'a', 8), 4);
  // By capacity: a small engine at 2 of 2 gives to a big one at 2 of 8; a full receiver takes nothing.
  assert.equal(planHandovers([e('small', 2, 2), e('big', 2, 8)], 'small'), 1);
  assert.equal(planHandovers([e('a', 3), e('b', 1, 1)], 'a'), 0);
});
