import { test } from 'node:test';
import { databaseSuite, sqliteFileFor } from './database.suite.js';

const url = process.env.TEST_POSTGRES_URL;
if (url) {
  process.env.DATABASE_URL = url;
  databaseSuite({ DATABASE_URL: url, sqliteFile: sqliteFileFor('unused') });
} else {
  console.warn('\n!!! TEST_POSTGRES_URL is not set: the PostgreSQL database tests are SKIPPED. `npm test` starts a server when PostgreSQL is installed.\n');
  test('PostgreSQL database suite', (t) => t.skip('TEST_POSTGRES_URL not set (install postgresql; npm test starts it)'));
}
