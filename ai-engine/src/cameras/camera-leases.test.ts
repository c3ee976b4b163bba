import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planClaims } from './camera-leases.js';

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
