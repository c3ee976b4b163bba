// Runs a test file again on a fresh PostgreSQL database (a district's set-up). The entities pick their
// column types from DATABASE_URL when first imported, so the file runs in a child process of its own.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { DataSource } from 'typeorm';
import { run } from './spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export function testAgainOnPostgres(title: string, testFile: string): void {
  const url = process.env.TEST_POSTGRES_URL;
  test(title, { skip: url ? false : 'TEST_POSTGRES_URL not set (npm test starts PostgreSQL when it is installed)' }, async () => {
    const name = `again_${path.basename(testFile).replace(/\W+/g, '_')}_${process.pid}`;
    const admin = new DataSource({ type: 'postgres', url });
    await admin.initialize();
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const dbUrl = new URL(url!);
      dbUrl.pathname = `/${name}`;
      // Without NODE_TEST_CONTEXT the child reports in plain TAP instead of to this runner.
      const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env;
      const child = run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', testFile], { cwd: ROOT, env: { ...env, DATABASE_URL: dbUrl.toString() } });
      const code = child.child.exitCode ?? await new Promise((r) => child.child.once('exit', r));
      assert.equal(code, 0, child.output());
      assert.match(child.output(), /# fail 0/);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    }
  });
}
