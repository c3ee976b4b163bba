// `npm start` run for years: the real npm command on non-default ports, its own Redis, a fresh data folder.
// The data folder is private after start; seed:demo and import:faces in a "second shell" (no Redis URL,
// no ports, no engine URL: only the data folder that names the installation) find it; SIGTERM and SIGINT to
// the npm process stop every child within 10 s; a database migrated by a newer version is refused.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SqliteFile } from '@attendance/shared';
import { FACES_DIR, needFaces } from '../helpers/faces.js';
import { alive, commandOf, descendants } from '../helpers/process-tree.js';
import { freePort, run, type Running } from '../helpers/spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const STOP_LIMIT_MS = 10_000;

/** The environment of a shell on the school's machine: nothing about the running installation but its data folder. */
function shellEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'development', LOG_LEVEL: 'warn' };
  for (const k of ['REDIS_URL', 'ENGINE_URL', 'PUBLIC_ENGINE_URL', 'ENGINE_PORT', 'ADMIN_PORT', 'DATABASE_URL', 'ADMIN_PASSWORD', 'QUEUE_PREFIX', 'SQLITE_FILE']) delete env[k];
  return env;
}

/** A folder of links to some identity folders of the face fixtures (nothing copied). */
function facesSubset(names: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fa-faces-'));
  for (const n of names) fs.symlinkSync(path.join(FACES_DIR, n), path.join(dir, n));
  return dir;
}

async function startNpm(env: NodeJS.ProcessEnv): Promise<Running> {
  const proc = run('npm', ['start'], { cwd: ROOT, env });
  await proc.waitFor(/\[start\] ready/, 300_000);
  return proc;
}

/** Sends `signal` to the npm process; every process under it must be gone within STOP_LIMIT_MS. */
async function assertStopsEverything(proc: Running, signal: NodeJS.Signals): Promise<void> {
  const tree = descendants(proc.child.pid!);
  const names = tree.map(commandOf).join('\n  ');
  assert.ok(tree.some((p) => /redis-server/.test(commandOf(p))), `redis-server runs under npm start:\n  ${names}`);
  assert.ok(tree.filter((p) => /main\.(ts|js)/.test(commandOf(p))).length >= 2, `both servers run under npm start:\n  ${names}`);
  const t0 = Date.now();
  proc.child.kill(signal);
  while (tree.some(alive) && Date.now() - t0 < STOP_LIMIT_MS + 5000) await new Promise((r) => setTimeout(r, 100));
  const left = tree.filter(alive);
  assert.deepEqual(left.map(commandOf), [], `still running after ${signal}`);
  assert.ok(Date.now() - t0 <= STOP_LIMIT_MS, `${signal}: every child gone in ${Date.now() - t0} ms`);
  await proc.exited;
}

const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe('npm start, operated', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  const ports = { admin: 0, engine: 0 };

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fa-ops-'));
    // A data folder made by hand the ordinary way (0755), with a world-readable file in it: start makes it private.
    fs.chmodSync(dataDir, 0o755);
    fs.writeFileSync(path.join(dataDir, 'notes.txt'), 'school notes\n', { mode: 0o644 });
    ports.admin = await freePort();
    ports.engine = await freePort();
    env = { ...shellEnv(dataDir), ADMIN_PORT: String(ports.admin), ENGINE_PORT: String(ports.engine) };
  });
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  test('private data folder; seed:demo and import:faces beside it with no settings; SIGTERM stops every child', { timeout: 900_000 }, async (t) => {
    const proc = await startNpm(env);
    try {
      assert.equal(mode(dataDir), 0o700, 'data folder 0700');
      for (const f of ['attendance.sqlite', 'attendance.sqlite-wal', 'attendance.sqlite-shm', 'secrets.json', 'runtime.json', 'notes.txt']) {
        assert.equal(mode(path.join(dataDir, f)), 0o600, `${f} 0600`);
      }
      assert.match(proc.output(), /made private.*notes\.txt 644/, 'the fix is reported');
      assert.doesNotMatch(proc.output(), /\x1b\[/, 'no colour codes when the output is not a terminal');
      const runtime = JSON.parse(fs.readFileSync(path.join(dataDir, 'runtime.json'), 'utf8'));
      assert.equal(runtime.settings.ENGINE_URL, `http://127.0.0.1:${ports.engine}`);
      assert.doesNotMatch(JSON.stringify(runtime), /JWT_SECRET|TEMPLATE_ENCRYPTION_KEY/, 'no secrets in the runtime file');

      if (needFaces(t)) {
        const shell = shellEnv(dataDir);
        const seed = run('npm', ['run', 'seed:demo'], { cwd: ROOT, env: { ...shell, FACES_DIR: facesSubset(['deepface_p11', 'deepface_p12']) } });
        assert.equal(await seed.exited, 0, seed.output());
        assert.match(seed.output(), /enrolled 2 student\(s\) through the engine/, seed.output());

        const imp = run('npm', ['run', 'import:faces', '--', facesSubset(['faceapi_amy', 'faceapi_raj']), '--consent-method', 'paper', '--policy-version', '2026-09'],
          { cwd: ROOT, env: shell });
        assert.equal(await imp.exited, 0, imp.output());
        assert.match(imp.output(), /2 students enrolled with \d+ templates/, imp.output());
        assert.doesNotMatch(imp.output(), /\r/, 'no progress bar redrawn into a log');
      }
    } finally {
      await assertStopsEverything(proc, 'SIGTERM');
    }
    assert.ok(!fs.existsSync(path.join(dataDir, 'runtime.json')), 'runtime file removed on stop');

    // Without a running installation, a tool says so in one line.
    const alone = run('npm', ['run', '-s', 'import:faces', '--', dataDir, '--consent-method', 'paper', '--policy-version', 'x'], { cwd: ROOT, env: shellEnv(dataDir) });
    assert.equal(await alone.exited, 1);
    assert.match(alone.output(), /^\[import:faces\] no engine answers at http:\/\/127\.0\.0\.1:8001 \(start it with `npm start`/m);
    assert.doesNotMatch(alone.output(), /\n\s+at /, 'no stack trace');
  });

  test('SIGINT to the npm process stops every child too; LOG_FILE receives the servers\' lines as plain JSON', { timeout: 600_000 }, async () => {
    const logFile = path.join(dataDir, 'logs', 'servers.log');
    await assertStopsEverything(await startNpm({ ...env, LOG_FILE: logFile, LOG_LEVEL: 'info' }), 'SIGINT');
    const lines = fs.readFileSync(logFile, 'utf8').trimEnd().split('\n');
    const entries = lines.map((l) => JSON.parse(l) as { name: string; msg: string });
    assert.ok(entries.some((e) => e.name === 'admin-server' && /listening/.test(e.msg)), 'the admin server\'s lines are in the file');
    assert.ok(entries.some((e) => e.name === 'ai-engine'), 'the engine\'s lines are in the file');
    assert.doesNotMatch(lines.join('\n'), /\x1b\[|password: /, 'no colour codes, and not the migration\'s output');
    assert.equal(mode(logFile), 0o600);
  });

  test('a database migrated by a newer version: npm start and the servers refuse with a clear message', { timeout: 600_000 }, async () => {
    const db = await SqliteFile.open(path.join(dataDir, 'attendance.sqlite'));
    await db.run('INSERT INTO migrations (timestamp, name) VALUES (?, ?)', [9999999999999, 'FromTheFuture9999999999999']);
    await db.close();
    const start = run('npm', ['start'], { cwd: ROOT, env });
    assert.notEqual(await start.exited, 0);
    assert.match(start.output(), /migrated by a newer version of this software \(FromTheFuture9999999999999\)/, start.output());
    assert.doesNotMatch(start.output(), /\[start\] ready/);
    // systemd runs the servers directly: they refuse on their own.
    const engine = run(process.execPath, ['--import', 'tsx', 'ai-engine/src/main.ts'], { cwd: ROOT, env: { ...env, REDIS_URL: process.env.REDIS_URL } });
    assert.notEqual(await engine.exited, 0);
    assert.match(engine.output(), /migrated by a newer version/);
  });
});
