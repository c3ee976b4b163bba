// `npm start` end to end: set-up, its own Redis, migration, both servers healthy, credentials
// printed on the first run only, and a clean stop.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { freePort, run } from '../helpers/spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

async function startOnce(env: NodeJS.ProcessEnv, ports: { admin: number; engine: number }) {
  const proc = run(process.execPath, ['scripts/start.mjs'], { cwd: ROOT, env });
  try {
    await proc.waitFor(/\[start\] ready/, 240_000);
    for (const port of [ports.engine, ports.admin]) {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      assert.equal(res.status, 200, `health on ${port}`);
      assert.equal((await res.json() as { status: string }).status, 'ok');
    }
    const redisPort = Number(proc.output().match(/redis-server on 127\.0\.0\.1:(\d+)/)?.[1]);
    return { output: proc.output(), redisPort };
  } finally {
    assert.equal(await proc.stop('SIGINT'), 130, 'stops on Ctrl-C');
  }
}

test('npm start brings up both servers, prints the admin password once, and reuses everything on a second run', { timeout: 600_000 }, async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fa-start-'));
  const ports = { admin: await freePort(), engine: await freePort() };
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, ADMIN_PORT: String(ports.admin), ENGINE_PORT: String(ports.engine),
    ENGINE_URL: `http://127.0.0.1:${ports.engine}`, NODE_ENV: 'development', LOG_LEVEL: 'warn' };
  delete env.REDIS_URL; // start.mjs starts its own
  delete env.DATABASE_URL;
  delete env.ADMIN_PASSWORD;

  const first = await startOnce(env, ports);
  const password = first.output.match(/password: (\S+)/)?.[1];
  assert.ok(password && password.length >= 16, 'first run prints a generated admin password');
  assert.match(first.output, /admin panel : http:\/\/127\.0\.0\.1:\d+\/admin/);
  assert.ok(fs.existsSync(path.join(dataDir, 'attendance.sqlite')), 'SQLite file under DATA_DIR');
  assert.equal(fs.statSync(path.join(dataDir, 'secrets.json')).mode & 0o777, 0o600);
  const secrets = fs.readFileSync(path.join(dataDir, 'secrets.json'), 'utf8');

  const second = await startOnce(env, ports);
  assert.doesNotMatch(second.output, /password: /, 'no password printed again');
  assert.match(second.output, /schema up to date/);
  assert.equal(fs.readFileSync(path.join(dataDir, 'secrets.json'), 'utf8'), secrets, 'secrets reused');
  // The Redis that start.mjs launched is gone.
  await assert.rejects(fetch(`http://127.0.0.1:${second.redisPort}`), 'redis stopped with start');
});
