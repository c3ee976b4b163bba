#!/usr/bin/env node
// `npm test`: the same set-up as `npm start` plus the test tools, then a type check and every test
// (unit tests beside the code, integration and browser tests in tests/) on real Redis, SQLite and
// PostgreSQL. `npm test -- <text>` runs only test files whose path contains <text>.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findPostgresBin, startPostgres } from './lib/postgres.mjs';
import { startRedis } from './lib/redis.mjs';
import { onExit } from './lib/process.mjs';
import { ROOT, failSetup, setup } from './setup.mjs';

const say = (msg) => console.log(`[test] ${msg}`);
const services = [];
const cleanup = onExit(async () => { for (const s of services.reverse()) await s.stop().catch((e) => say(`cleanup: ${e.message}`)); });

function findTests(dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findTests(full, out);
    else if (/\.test\.ts$/.test(entry.name)) out.push(path.relative(ROOT, full));
  }
  return out;
}

async function main() {
  await setup({ forTests: true });
  const filter = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const files = ['shared/src', 'ai-engine/src', 'admin-server/src', 'scripts', 'tests']
    .filter((d) => fs.existsSync(path.join(ROOT, d)))
    .flatMap((d) => findTests(path.join(ROOT, d)))
    .filter((f) => !filter.length || filter.some((t) => f.includes(t)))
    .sort();
  if (!files.length) throw new Error(`no test file matches ${filter.join(' ')}`);

  if (!filter.length) {
    say('type check (tsc)');
    const tsc = spawnSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
    if (tsc.status !== 0) throw new Error('type check failed');
  }

  const env = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fa-test-'));
  services.push({ stop: async () => fs.rmSync(tmp, { recursive: true, force: true }) });
  env.TEST_TMP_DIR = tmp;
  env.DATA_DIR = path.join(tmp, 'data');
  if (!env.REDIS_URL) {
    const redis = await startRedis({ log: say });
    services.push(redis);
    env.REDIS_URL = redis.url;
  }
  if (!env.TEST_POSTGRES_URL && findPostgresBin()) {
    const pg = await startPostgres({ log: say });
    services.push(pg);
    env.TEST_POSTGRES_URL = pg.url;
  }
  env.FACES_DIR ??= path.resolve(ROOT, '../shared/faces');

  say(`${files.length} test file(s)`);
  // A hung test fails after 10 minutes instead of holding CI to its limit; --test-force-exit ends a file whose
  // tests are all done even if a handle stays open (a Redis socket kept register-face.browser alive for ever).
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-force-exit', '--test-reporter=spec', '--test-timeout=600000', ...files], { cwd: ROOT, env, stdio: 'inherit' });
  await cleanup(r.status ?? 1);
}

main().catch(async (err) => {
  failSetup(err);
});
