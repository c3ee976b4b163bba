// The school calendar tests again, on PostgreSQL (the entities pick their column types from DATABASE_URL
// when first imported, so they run in a child process of their own, as access.postgres.test.ts does).
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { DataSource } from 'typeorm';
import { run } from '../helpers/spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const url = process.env.TEST_POSTGRES_URL;

test('the calendar tests pass on PostgreSQL', { skip: url ? false : 'TEST_POSTGRES_URL not set (npm test starts PostgreSQL when it is installed)' }, async () => {
  const name = `admin_calendar_${process.pid}`;
  const admin = new DataSource({ type: 'postgres', url });
  await admin.initialize();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const dbUrl = new URL(url!);
    dbUrl.pathname = `/${name}`;
    const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env;
    const child = run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', 'tests/admin/calendar.test.ts'], { cwd: ROOT, env: { ...env, DATABASE_URL: dbUrl.toString() } });
    const code = child.child.exitCode ?? await new Promise((r) => child.child.once('exit', r));
    assert.equal(code, 0, child.output());
    assert.match(child.output(), /# fail 0/);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.destroy();
  }
});
