// The generated systemd units (checked by systemd-analyze where it exists; systemd itself does not run
// here) and LOG_FILE's size-based rotation, on real files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { logFormat } from '@attendance/shared';
import { rotatingLog, splitLines } from '../../scripts/lib/log-file.mjs';
import { run } from '../helpers/spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

test('npm run service:install -- --out DIR writes units that restart on failure, start at boot, log to the journal', { timeout: 120_000 }, async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fa-units-'));
  const dataDir = path.join(out, 'data');
  const proc = run('npm', ['run', '-s', 'service:install', '--', '--out', out, '--data-dir', dataDir, '--user', 'root', '--no-build'], { cwd: ROOT, env: process.env });
  assert.equal(await proc.exited, 0, proc.output());
  const units = ['face-attendance.target', 'face-attendance-admin.service', 'face-attendance-engine.service', 'face-attendance-redis.service'];
  for (const u of units) assert.ok(fs.existsSync(path.join(out, u)), `${u} written`);
  const read = (u: string) => fs.readFileSync(path.join(out, u), 'utf8');

  assert.match(read('face-attendance.target'), /WantedBy=multi-user\.target/, 'started at boot');
  for (const u of ['face-attendance-admin.service', 'face-attendance-engine.service']) {
    const text = read(u);
    assert.match(text, /^Restart=on-failure$/m);
    assert.match(text, /^StandardOutput=journal$/m);
    assert.match(text, /^UMask=0077$/m);
    assert.match(text, /^Requires=face-attendance-redis\.service$/m);
    assert.match(text, /LOG_FORMAT=json/);
    assert.match(text, new RegExp(`^EnvironmentFile=${out}/face-attendance.env$`, 'm'));
  }
  assert.match(read('face-attendance-admin.service'), /^ExecStartPre=.*--import tsx .*scripts\/migrate\.ts$/m, 'migrations (with a backup) before the admin server');
  assert.match(read('face-attendance-engine.service'), /^After=.*face-attendance-admin\.service/m, 'the engine starts after the migration');
  assert.match(read('face-attendance-engine.service'), /^ExecStart=\S*node .*ai-engine\/dist\/main\.js$/m, 'the engine runs compiled, as npm start runs it');
  assert.match(read('face-attendance-redis.service'), /--appendonly yes/);

  const envFile = path.join(out, 'face-attendance.env');
  assert.equal(fs.statSync(envFile).mode & 0o777, 0o600);
  assert.match(fs.readFileSync(envFile, 'utf8'), /^TEMPLATE_ENCRYPTION_KEY=\S{40,}$/m);
  assert.match(fs.readFileSync(envFile, 'utf8'), /^REDIS_URL=redis:\/\/127\.0\.0\.1:6390$/m);

  const analyze = spawnSync('systemd-analyze', ['verify', ...units.map((u) => path.join(out, u))], { encoding: 'utf8' });
  if (analyze.error) {
    console.warn('!!! systemd-analyze not installed: unit files checked by content only');
  } else {
    // Only complaints about these units count (systemd-analyze also reports on the host's own units).
    const ours = `${analyze.stdout}${analyze.stderr}`.split('\n').filter((l) => l.includes('face-attendance'));
    assert.deepEqual(ours, [], 'systemd-analyze verify finds nothing wrong with the units');
    assert.equal(analyze.status, 0, `${analyze.stdout}${analyze.stderr}`);
  }
  fs.rmSync(out, { recursive: true, force: true });
});

test('LOG_FILE rotation: whole lines, at most maxBytes per file, `keep` old files, the newest lines in the live file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fa-log-'));
  const file = path.join(dir, 'logs', 'face-attendance.log');
  const log = rotatingLog(file, { maxBytes: 1000, keep: 3 });
  const write = splitLines((line: string) => log.write(line));
  // The lines arrive in 7-byte chunks, as a pipe may cut them.
  const text = Array.from({ length: 200 }, (_, i) => `${JSON.stringify({ i, msg: 'x'.repeat(20) })}\n`).join('');
  for (let at = 0; at < text.length; at += 7) write(Buffer.from(text.slice(at, at + 7)));
  log.close();
  assert.match(fs.readFileSync(file, 'utf8'), /"i":199/, 'the newest line is in the live file');
  const files = fs.readdirSync(path.dirname(file)).sort();
  assert.deepEqual(files, ['face-attendance.log', 'face-attendance.log.1', 'face-attendance.log.2', 'face-attendance.log.3']);
  for (const f of files) {
    const content = fs.readFileSync(path.join(path.dirname(file), f), 'utf8');
    assert.ok(Buffer.byteLength(content) <= 1000, `${f} within the size limit`);
    for (const line of content.trimEnd().split('\n')) JSON.parse(line); // never a split line
    assert.equal(fs.statSync(path.join(path.dirname(file), f)).mode & 0o777, 0o600);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

test('log format: JSON without colour unless a person is at a terminal in development; LOG_FORMAT overrides', () => {
  assert.equal(logFormat({ NODE_ENV: 'development' }, false), 'json');
  assert.equal(logFormat({ NODE_ENV: 'development' }, true), 'pretty');
  assert.equal(logFormat({ NODE_ENV: 'production' }, true), 'json');
  assert.equal(logFormat({ NODE_ENV: 'development', LOG_FORMAT: 'json' }, true), 'json');
});
