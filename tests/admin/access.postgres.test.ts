// The server-side access tests again, on PostgreSQL (a district's database): the entities pick their
// column types from DATABASE_URL when first imported, so they run in a child process of their own.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { DataSource } from 'typeorm';
import { run } from '../helpers/spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const url = process.env.TEST_POSTGRES_URL;

test('the access tests pass on PostgreSQL', { skip: url ? false : 'TEST_POSTGRES_URL not set (npm test starts PostgreSQL when it is installed)' }, async () => {
  const name = `admin_access_${process.pid}`;
  const admin = new DataSource({ type: 'postgres', url });
  await admin.initialize();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const dbUrl = new URL(url!);
    dbUrl.pathname = `/${name}`;
    // Without NODE_TEST_CONTEXT the child reports in plain TAP instead of to this runner.
    const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env;
    const child = run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', 'tests/admin/access.test.ts'], { cwd: ROOT, env: { ...env, DATABASE_URL: dbUrl.toString() } });
    const code = child.child.exitCode ?? await new Promise((r) => child.child.once('exit', r));
    assert.equal(code, 0, child.output());
    assert.match(child.output(), /# fail 0/);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.destroy();
  }
});
