import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../errors.js';
import { loadConfig } from './config.js';

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'fa-config-'));
const base = () => ({ DATA_DIR: tmpDir(), REDIS_URL: 'redis://127.0.0.1:6379', JWT_SECRET: 'x'.repeat(40), TEMPLATE_ENCRYPTION_KEY: 'ab'.repeat(32) });

function rejects(env: NodeJS.ProcessEnv, variable: string): void {
  assert.throws(() => loadConfig(env), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, new RegExp(`\\b${variable}\\b`), `message names ${variable}: ${err.message}`);
    return true;
  });
}

test('a valid environment loads into a frozen config with defaults', () => {
  const c = loadConfig(base());
  assert.equal(c.ADMIN_PORT, 8000);
  assert.equal(c.ENGINE_PORT, 8001);
  assert.equal(c.BIND_HOST, '127.0.0.1');
  assert.equal(c.templateKey.length, 32);
  assert.ok(Object.isFrozen(c));
});

test('bad values stop start-up with a message naming the variable', () => {
  rejects({ ...base(), ADMIN_PORT: 'eighty' }, 'ADMIN_PORT');
  rejects({ ...base(), ENGINE_PORT: '70000' }, 'ENGINE_PORT');
  rejects({ ...base(), REDIS_URL: undefined }, 'REDIS_URL');
  rejects({ ...base(), DATABASE_URL: 'mysql://x' }, 'DATABASE_URL');
  rejects({ ...base(), SCHOOL_TIMEZONE: 'Mars/Olympus' }, 'SCHOOL_TIMEZONE');
  rejects({ ...base(), JWT_SECRET: 'short' }, 'JWT_SECRET');
  rejects({ ...base(), TEMPLATE_ENCRYPTION_KEY: 'not-a-key' }, 'TEMPLATE_ENCRYPTION_KEY');
  rejects({ ...base(), ADMIN_PASSWORD: 'abc' }, 'ADMIN_PASSWORD');
});

test('production refuses to start without secrets in the environment', () => {
  const env = { ...base(), NODE_ENV: 'production', JWT_SECRET: undefined, TEMPLATE_ENCRYPTION_KEY: undefined };
  rejects(env, 'JWT_SECRET');
  rejects(env, 'TEMPLATE_ENCRYPTION_KEY');
  assert.equal(fs.readdirSync(env.DATA_DIR).length, 0, 'no secrets file written in production');
});

test('development generates secrets once into a 0600 file and reuses them', () => {
  const env = { ...base(), JWT_SECRET: undefined, TEMPLATE_ENCRYPTION_KEY: undefined };
  const first = loadConfig(env);
  const file = path.join(env.DATA_DIR, 'secrets.json');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const second = loadConfig(env);
  assert.equal(second.JWT_SECRET, first.JWT_SECRET);
  assert.deepEqual(second.templateKey, first.templateKey);
  // An environment value wins over the file.
  assert.equal(loadConfig({ ...env, JWT_SECRET: 'y'.repeat(40) }).JWT_SECRET, 'y'.repeat(40));
});
