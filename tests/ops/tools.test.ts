// Command-line tools and the scheduled backup on real SQLite files and a real Redis: a failing seed leaves
// nothing half-made, `npm run migrate` backs up before it changes a schema, the daily backup keeps BACKUP_KEEP.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  DataDirError, FaceTemplate, Student, TemplateCipher, createLogger, securePrivateDataDir, listBackups, loadConfig, openDatabase, sha256File, SqliteFile, type BackupManifest,
} from '@attendance/shared';
import { DAILY_BACKUP_LABEL, startBackupSchedule } from '../../admin-server/src/services/backup.schedule.js';
import { FACES_DIR, needFaces } from '../helpers/faces.js';
import { run } from '../helpers/spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function freshEnv(): NodeJS.ProcessEnv {
  const dataDir = fs.mkdtempSync(path.join(process.env.TEST_TMP_DIR ?? os.tmpdir(), 'ops-tools-'));
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'test', ADMIN_PASSWORD: 'correct horse battery staple', ENGINE_URL: 'http://127.0.0.1:9' };
  for (const k of ['DATABASE_URL', 'SQLITE_FILE', 'BACKUP_DIR']) delete env[k];
  return env;
}

async function tool(script: string, env: NodeJS.ProcessEnv, args: string[] = []) {
  const proc = run('npm', ['run', '-s', script, '--', ...args], { cwd: ROOT, env });
  return { code: await proc.exited, output: proc.output() };
}

async function count(file: string, sql: string): Promise<number> {
  const db = await SqliteFile.open(file, { readOnly: true });
  try {
    return (await db.all<{ n: number }>(sql))[0].n;
  } finally {
    await db.close();
  }
}

test('a seed:demo that fails half-way leaves nothing of itself; run again, it completes', { timeout: 300_000 }, async (t) => {
  if (!needFaces(t)) return;
  const env = freshEnv();
  assert.equal((await tool('migrate', env)).code, 0);
  const file = path.join(env.DATA_DIR!, 'attendance.sqlite');
  const faces = fs.mkdtempSync(path.join(os.tmpdir(), 'fa-faces-'));
  for (const n of ['deepface_p01', 'deepface_p02', 'deepface_p03']) fs.symlinkSync(path.join(FACES_DIR, n), path.join(faces, n));
  // The database refuses the second student, after users, classes, cameras, timetable and one student were written.
  const db = await SqliteFile.open(file);
  await db.run(`CREATE TRIGGER refuse_second BEFORE INSERT ON students WHEN NEW.roll_number = 'DEMO-002' BEGIN SELECT RAISE(ABORT, 'disk says no'); END`);
  await db.close();

  const failed = await tool('seed:demo', { ...env, FACES_DIR: faces });
  assert.notEqual(failed.code, 0, failed.output);
  assert.match(failed.output, /disk says no/);
  for (const [what, sql] of [
    ['demo users', "SELECT COUNT(*) AS n FROM users WHERE username LIKE 'demo.%'"], ['classes', 'SELECT COUNT(*) AS n FROM class_groups'],
    ['cameras', 'SELECT COUNT(*) AS n FROM cameras'], ['lessons', 'SELECT COUNT(*) AS n FROM class_sessions'], ['students', 'SELECT COUNT(*) AS n FROM students'],
  ]) assert.equal(await count(file, sql), 0, `no ${what} left by the failed seed`);

  const fix = await SqliteFile.open(file);
  await fix.run('DROP TRIGGER refuse_second');
  await fix.close();
  const ok = await tool('seed:demo', { ...env, FACES_DIR: faces });
  assert.equal(ok.code, 0, ok.output);
  assert.equal(await count(file, 'SELECT COUNT(*) AS n FROM students'), 3);
  assert.match(ok.output, /students were created WITHOUT face templates/, 'no engine: said plainly');
});

test('npm run migrate backs up a database before changing its schema, and not a new one', { timeout: 300_000 }, async () => {
  const env = freshEnv();
  const first = await tool('migrate', env);
  assert.equal(first.code, 0, first.output);
  assert.doesNotMatch(first.output, /backup taken/, 'nothing to back up on a new database');

  // The database of the previous version: the newest migration undone.
  const config = loadConfig({ ...env, REDIS_URL: 'redis://unused.invalid' });
  const { dataSource } = await openDatabase(config, { migrate: false });
  await dataSource.undoLastMigration({ transaction: 'each' });
  const previous = dataSource.migrations.at(-1)!.name!;
  await dataSource.destroy();

  const upgrade = await tool('migrate', env);
  assert.equal(upgrade.code, 0, upgrade.output);
  const dir = upgrade.output.match(/backup taken before migrating: (\S+)/)?.[1];
  assert.ok(dir, upgrade.output);
  assert.match(upgrade.output, /1 migration\(s\) applied/);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
  assert.equal(manifest.label, 'pre-migrate');
  assert.ok(manifest.database.kind === 'sqlite' && !manifest.database.migrations.includes(previous), 'the backup holds the schema before the migration');
});

test('the daily backup job (BullMQ, real Redis) keeps the newest BACKUP_KEEP backups', { timeout: 120_000 }, async () => {
  const env = freshEnv();
  assert.equal((await tool('migrate', env)).code, 0);
  // Every second instead of every night.
  const config = loadConfig({ ...env, BACKUP_CRON: '* * * * * *', BACKUP_KEEP: '2', QUEUE_PREFIX: `ops${process.pid}` });
  const stop = await startBackupSchedule(config, createLogger('test', { level: 'silent' }));
  const root = path.join(env.DATA_DIR!, 'backups');
  try {
    const deadline = Date.now() + 60_000;
    // Four runs: at least two were pruned.
    const seen = new Set<string>();
    while (Date.now() < deadline && seen.size < 4) {
      for (const d of listBackups(root, DAILY_BACKUP_LABEL)) seen.add(d);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(seen.size >= 4, `the job ran at least 4 times (saw ${seen.size})`);
  } finally {
    await stop();
  }
  const kept = listBackups(root, DAILY_BACKUP_LABEL);
  assert.equal(kept.length, 2, kept.join('\n'));
  for (const d of kept) assert.equal(fs.statSync(path.join(d, 'attendance.sqlite')).mode & 0o777, 0o600);
});

test('the data folder is lost: restore from a backup on another disk brings back the register and the key that reads it', { timeout: 300_000 }, async () => {
  const env = freshEnv(); // development: the key is generated into DATA_DIR/secrets.json
  assert.equal((await tool('migrate', env)).code, 0);
  const config = loadConfig({ ...env, REDIS_URL: 'redis://unused.invalid' });
  const { dataSource } = await openDatabase(config, { migrate: false });
  const student = await dataSource.getRepository(Student).save({ name: 'Ana López', rollNumber: 'D-1', active: true, consentAt: new Date() });
  const cipher = new TemplateCipher(config.templateKey, config.TEMPLATE_KEY_ID);
  const id = crypto.randomUUID();
  const vector = new Float32Array(128).map((_, i) => Math.sin(i));
  await dataSource.getRepository(FaceTemplate).insert({ id, studentId: student.id, pose: 'center', modelId: 'test', quality: 1, keyId: cipher.keyId, ciphertext: cipher.encrypt(vector, student.id, id) });
  await dataSource.destroy();
  const secrets = sha256File(path.join(env.DATA_DIR!, 'secrets.json'));

  const otherDisk = fs.mkdtempSync(path.join(os.tmpdir(), 'fa-usb-'));
  const backup = await tool('backup', env, ['--dir', otherDisk]);
  assert.equal(backup.code, 0, backup.output);
  assert.match(backup.output, /secrets\.json included/);
  const dir = backup.output.match(/\[backup\] (\/\S+)/)![1];

  fs.rmSync(env.DATA_DIR!, { recursive: true });
  const restore = await tool('restore', env, [dir]);
  assert.equal(restore.code, 0, restore.output);
  assert.match(restore.output, /1 template key id\(s\) decrypt/);
  assert.equal(sha256File(path.join(env.DATA_DIR!, 'secrets.json')), secrets, 'the key is back');
  assert.equal(fs.statSync(env.DATA_DIR!).mode & 0o777, 0o700);
  assert.equal(await count(path.join(env.DATA_DIR!, 'attendance.sqlite'), `SELECT COUNT(*) AS n FROM students WHERE name = 'Ana López'`), 1);
  fs.rmSync(otherDisk, { recursive: true, force: true });
});

test('PostgreSQL: the backup holds the secrets part and says how to dump the database', { timeout: 120_000 }, async (t) => {
  if (!process.env.TEST_POSTGRES_URL) {
    console.warn('\n!!! TEST_POSTGRES_URL not set: PostgreSQL backup test SKIPPED\n');
    t.skip('no PostgreSQL');
    return;
  }
  const env = { ...freshEnv(), DATABASE_URL: process.env.TEST_POSTGRES_URL };
  const backup = await tool('backup', env);
  assert.equal(backup.code, 0, backup.output);
  assert.match(backup.output, /pg_dump --format=custom/);
  const dir = backup.output.match(/\[backup\] (\/\S+)/)![1];
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
  assert.equal(manifest.database.kind, 'postgres');
  assert.ok(fs.existsSync(path.join(dir, 'secrets.json')));
  assert.ok(!fs.existsSync(path.join(dir, 'attendance.sqlite')));
});

test('the data-folder check fixes what others could read, names it, and refuses a shared folder such as /tmp', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fa-private-'));
  fs.chmodSync(dir, 0o755);
  fs.mkdirSync(path.join(dir, 'backups'), { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'backups', 'old.sqlite'), 'x', { mode: 0o644 });
  const warnings: string[] = [];
  securePrivateDataDir(dir, (m) => warnings.push(m));
  assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
  assert.equal(fs.statSync(path.join(dir, 'backups')).mode & 0o777, 0o700);
  assert.equal(fs.statSync(path.join(dir, 'backups', 'old.sqlite')).mode & 0o777, 0o600);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /made private .*\. 755, backups 755, backups\/old\.sqlite 644/);
  securePrivateDataDir(dir, (m) => warnings.push(m));
  assert.equal(warnings.length, 1, 'nothing to say the second time');
  assert.throws(() => securePrivateDataDir(os.tmpdir()), DataDirError);
  assert.equal(fs.statSync(os.tmpdir()).mode & 0o1777, 0o1777, '/tmp untouched');
  fs.rmSync(dir, { recursive: true, force: true });
});
