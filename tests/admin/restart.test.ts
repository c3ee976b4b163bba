// The real composition root: `tsx admin-server/src/main.ts` started, stopped and started again on the
// same database and Redis; a session cookie from the first process still works in the second.
import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig, openDatabase } from '@attendance/shared';
import { PASSWORD, seedFixture } from '../helpers/admin-fixtures.js';
import { loginCookie, withCookie } from '../helpers/admin-http.js';
import { freePort, run } from '../helpers/spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

test('a session survives a restart of the admin-server process', { timeout: 120_000 }, async () => {
  const port = await freePort();
  const env = {
    ...process.env, NODE_ENV: 'test', ADMIN_PORT: String(port), ENGINE_URL: `http://127.0.0.1:${await freePort()}`,
    SQLITE_FILE: path.join(process.env.TEST_TMP_DIR!, `restart-${process.pid}.sqlite`),
  };
  const { dataSource } = await openDatabase(loadConfig(env));
  await seedFixture(dataSource);
  await dataSource.destroy();

  const start = async () => {
    const server = run(path.join(ROOT, 'node_modules/.bin/tsx'), ['admin-server/src/main.ts'], { cwd: ROOT, env: { ...env, LOG_LEVEL: 'info' } });
    await server.waitFor(/admin-server listening/, 60_000);
    return server;
  };
  const base = `http://127.0.0.1:${port}`;
  const first = await start();
  const { cookie } = await loginCookie(base, 'admin', PASSWORD);
  assert.ok(cookie, 'logged in');
  assert.equal(await first.stop('SIGTERM'), 0, first.output());

  const second = await start();
  try {
    const res = await withCookie(cookie!)(`${base}/admin/api/resources/User/actions/list`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { meta: { total: number } }).meta.total, 3);
    const health = await fetch(`${base}/health`);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
  } finally {
    await second.stop('SIGTERM');
  }
});
