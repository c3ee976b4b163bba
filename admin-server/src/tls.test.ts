import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '@attendance/shared';
import { loadTls } from './tls.js';

const configFor = (dataDir: string, extra: Record<string, string> = {}) => loadConfig({
  DATA_DIR: dataDir, REDIS_URL: 'redis://127.0.0.1:6379', JWT_SECRET: 'x'.repeat(40), TEMPLATE_ENCRYPTION_KEY: 'ab'.repeat(32), ...extra,
});

test('no TLS settings: plain HTTP only', () => {
  assert.equal(loadTls(configFor(fs.mkdtempSync(path.join(os.tmpdir(), 'fa-tls-')))), null);
});

test('TLS_SELF_SIGNED makes one certificate for this machine and the extra names, reuses it, and remakes it when a name is new', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fa-tls-'));
  const first = loadTls(configFor(dir, { TLS_SELF_SIGNED: 'true', TLS_HOSTNAMES: 'attendance.school.lan' }))!;
  const cert = new crypto.X509Certificate(first.cert);
  for (const name of ['DNS:attendance.school.lan', 'DNS:localhost', `DNS:${os.hostname()}`, 'IP Address:127.0.0.1']) assert.ok(cert.subjectAltName?.includes(name), `${name} in ${cert.subjectAltName}`);
  assert.ok(cert.checkPrivateKey(crypto.createPrivateKey(first.key)), 'the key belongs to the certificate');
  assert.equal(fs.statSync(path.join(dir, 'tls', 'panel-key.pem')).mode & 0o777, 0o600);
  assert.deepEqual(loadTls(configFor(dir, { TLS_SELF_SIGNED: 'true', TLS_HOSTNAMES: 'attendance.school.lan' }))!.cert, first.cert, 'reused');
  const renamed = loadTls(configFor(dir, { TLS_SELF_SIGNED: 'true', TLS_HOSTNAMES: 'new-name.school.lan' }))!;
  assert.ok(new crypto.X509Certificate(renamed.cert).subjectAltName?.includes('DNS:new-name.school.lan'));
});

test('a certificate without its key is refused with a message naming both settings', () => {
  assert.throws(() => loadTls(configFor(fs.mkdtempSync(path.join(os.tmpdir(), 'fa-tls-')), { TLS_CERT_FILE: '/tmp/x.crt' })), /TLS_CERT_FILE and TLS_KEY_FILE/);
});
