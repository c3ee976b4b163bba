// Backup while the engine marks attendance, then restore: real engine process, real SQLite file, the real
// `npm run backup` / `npm run restore` commands. The key lives in the environment (as in production), so the
// backup holds no key and the restore must prove the key it will use decrypts the backup's templates.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { SqliteFile, sha256File, type BackupManifest } from '@attendance/shared';
import { launchEngine, prepareDatabase, type TestEngine } from '../helpers/engine.js';
import { face, needFaces } from '../helpers/faces.js';
import { freePort, run } from '../helpers/spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PEOPLE = ['deepface_p01', 'deepface_p02', 'deepface_p03', 'deepface_p04', 'deepface_p05', 'deepface_p06', 'deepface_p10', 'fr_obama', 'sun_Trump', 'yyw_caijin'];
const consent = { given_by: 'Jane Doe', relationship: 'mother', method: 'paper', policy_version: '2026-09' };

function npm(script: string, args: string[], env: NodeJS.ProcessEnv) {
  return run('npm', ['run', '-s', script, '--', ...args], { cwd: ROOT, env });
}

async function post(engine: TestEngine, route: string, json: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${engine.url}${route}`, {
    method: 'POST', headers: { authorization: `Bearer ${await engine.token('staff')}`, 'content-type': 'application/json' }, body: JSON.stringify(json),
  });
  return { status: res.status, body: await res.json() };
}

const photos = (person: string) => fs.readdirSync(path.join(process.env.FACES_DIR!, person)).filter((f) => /\.jpe?g$/i.test(f)).sort()
  .map((f) => face(`${person}/${f}`).toString('base64'));

async function count(file: string, sql: string): Promise<number> {
  const db = await SqliteFile.open(file, { readOnly: true });
  try {
    return (await db.all<{ n: number }>(sql))[0].n;
  } finally {
    await db.close();
  }
}

async function markedIn(file: string): Promise<Set<number>> {
  const db = await SqliteFile.open(file, { readOnly: true });
  try {
    return new Set((await db.all<{ student_id: number }>('SELECT student_id FROM attendance_log')).map((r) => r.student_id));
  } finally {
    await db.close();
  }
}

test('a backup taken while marks are written restores every acknowledged mark; a wrong key is refused before anything is replaced', { timeout: 600_000 }, async (t) => {
  if (!needFaces(t)) return;
  const env = await prepareDatabase({
    ENGINE_PORT: String(await freePort()), JWT_SECRET: crypto.randomBytes(48).toString('base64url'), TEMPLATE_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
  });
  const sqliteFile = path.join(env.DATA_DIR!, 'attendance.sqlite');
  let engine = await launchEngine(env);
  try {
    const students: { id: number; probe: string }[] = [];
    for (const [i, person] of PEOPLE.entries()) {
      const all = photos(person);
      const r = await post(engine, '/api/v1/enroll', { name: person, roll_number: `B-${i}`, consent, photos: all.slice(0, 2) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      students.push({ id: r.body.student_id, probe: all[2] });
    }

    // Mark one student after another; the backup starts after the third acknowledged mark and runs
    // while the marking goes on.
    const acked: number[] = [];
    let backup: ReturnType<typeof npm> | null = null;
    let ackedBeforeBackup: number[] = [];
    let ackedWhenBackupDone: number[] | null = null;
    for (const s of students) {
      const r = await post(engine, '/api/v1/recognize?mark=true', { image: s.probe });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      if (r.body.marks?.[0]?.marked && r.body.marks[0].student_id === s.id) acked.push(s.id);
      if (!backup && acked.length >= 3) {
        ackedBeforeBackup = [...acked];
        backup = npm('backup', [], env);
        void backup.exited.then(() => { ackedWhenBackupDone = [...acked]; });
      }
    }
    assert.ok(backup, `at least 3 marks acknowledged (got ${acked.length})`);
    assert.equal(await backup.exited, 0, backup.output());
    const ackedAtEnd = ackedWhenBackupDone ?? [...acked];
    assert.ok(ackedAtEnd.length > ackedBeforeBackup.length, 'marks were acknowledged while the backup ran');
    t.diagnostic(`marks acknowledged: ${ackedBeforeBackup.length} before the backup, ${ackedAtEnd.length - ackedBeforeBackup.length} while it ran, ${acked.length - ackedAtEnd.length} after`);
    const dir = backup.output().match(/\[backup\] (\/\S+)/)![1];
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
    assert.ok('keptElsewhere' in manifest.secrets, 'the key from the environment is not copied into the backup');
    assert.ok(!fs.existsSync(path.join(dir, 'secrets.json')));
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(dir, 'attendance.sqlite')).mode & 0o777, 0o600);

    // Written after the backup: must be gone once the backup is restored.
    const later = await post(engine, '/api/v1/enroll', { name: 'After the backup', roll_number: 'B-LATER', consent, photos: photos('sun_Melania').slice(0, 2) });
    assert.equal(later.status, 201, JSON.stringify(later.body));

    const refusedLive = await npm('restore', [dir], env).exited;
    assert.notEqual(refusedLive, 0, 'no restore under a running engine');
    await engine.stop();

    // The wrong key: refused, and the live database is untouched.
    const liveBefore = sha256File(sqliteFile);
    const wrong = npm('restore', [dir], { ...env, TEMPLATE_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64') });
    assert.notEqual(await wrong.exited, 0);
    assert.match(wrong.output(), /does not decrypt the face templates in this backup.*nothing was replaced/s);
    assert.equal(sha256File(sqliteFile), liveBefore, 'live database unchanged');
    assert.ok(!fs.readdirSync(env.DATA_DIR!).some((n) => n.startsWith('before-restore')), 'nothing moved aside');

    // A damaged copy: refused on its checksum.
    const damaged = `${dir}-damaged`;
    fs.cpSync(dir, damaged, { recursive: true });
    const bytes = fs.readFileSync(path.join(damaged, 'attendance.sqlite'));
    bytes[bytes.length - 100] ^= 0xff;
    fs.writeFileSync(path.join(damaged, 'attendance.sqlite'), bytes);
    const tampered = npm('restore', [damaged], env);
    assert.notEqual(await tampered.exited, 0);
    assert.match(tampered.output(), /does not match its checksum/);
    assert.equal(sha256File(sqliteFile), liveBefore);

    // The right key: restored.
    const restore = npm('restore', [dir], env);
    assert.equal(await restore.exited, 0, restore.output());
    assert.match(restore.output(), /1 template key id\(s\) decrypt/);
    const db = await SqliteFile.open(sqliteFile, { readOnly: true });
    assert.equal(await db.integrity(), 'ok');
    await db.close();
    const restored = await markedIn(sqliteFile);
    for (const id of ackedBeforeBackup) assert.ok(restored.has(id), `mark of student ${id}, acknowledged before the backup, is restored`);
    for (const id of restored) assert.ok(ackedAtEnd.includes(id), `student ${id} was marked before the backup ended`);
    assert.equal(await count(sqliteFile, `SELECT COUNT(*) AS n FROM students WHERE roll_number = 'B-LATER'`), 0, 'the student enrolled after the backup is gone');
    assert.equal(fs.statSync(sqliteFile).mode & 0o777, 0o600);

    // The restored installation runs: the engine starts on it and still recognises a backed-up student.
    engine = await launchEngine(env);
    const again = await post(engine, '/api/v1/recognize', { image: students[0].probe });
    assert.equal(again.body.faces?.[0]?.match?.student_id, students[0].id, JSON.stringify(again.body));
  } finally {
    await engine.stop();
  }
});
