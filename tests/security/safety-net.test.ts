// Both servers install the safety net: a stray rejection or a throw in a callback is logged and the
// process keeps serving.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { run } from '../helpers/spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

test('a stray rejection and an uncaught throw are logged, and the process keeps running', async () => {
  const p = run(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(import.meta.dirname, 'fixtures/stray-errors.ts')], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'info' } });
  assert.equal(await p.exited, 0, p.output());
  assert.match(p.output(), /unhandled promise rejection/);
  assert.match(p.output(), /stray rejection/);
  assert.match(p.output(), /uncaught exception/);
  assert.match(p.output(), /still serving/);
});

test('both servers\' entry points install it before anything else can fail', () => {
  for (const main of ['ai-engine/src/main.ts', 'admin-server/src/main.ts']) {
    assert.match(fs.readFileSync(path.join(ROOT, main), 'utf8'), /installSafetyNet\(log\)/, main);
  }
});
