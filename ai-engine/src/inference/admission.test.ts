import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admission, InferenceBusyError } from './admission.js';

const gate = () => { let open!: () => void; const p = new Promise<void>((r) => { open = r; }); return { p, open }; };

test('admission runs `active` at once, lines up `waiting` in order, and refuses the rest with a 503 and Retry-After', async () => {
  const a = new Admission(2, 1, 3);
  const order: number[] = [];
  const g = [gate(), gate(), gate()];
  const runs = g.map((x, i) => a.run(async () => { order.push(i); await x.p; return i; }));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, [0, 1], 'the third waits for a slot');
  assert.equal(a.inFlight, 3);
  const refused = await a.run(async () => 'never').catch((e: unknown) => e);
  assert.ok(refused instanceof InferenceBusyError);
  assert.equal(refused.status, 503);
  assert.equal(refused.code, 'busy');
  assert.deepEqual(refused.details, { retryAfterSeconds: 3 });
  g[0].open();
  assert.equal(await runs[0], 0);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, [0, 1, 2], 'the waiting one took the freed slot');
  g[1].open(); g[2].open();
  assert.deepEqual(await Promise.all(runs), [0, 1, 2]);
  assert.equal(a.inFlight, 0);
});

test('a failing analysis frees its slot', async () => {
  const a = new Admission(1, 0);
  await assert.rejects(a.run(async () => { throw new Error('bad image'); }), /bad image/);
  assert.equal(await a.run(async () => 'next'), 'next');
});
