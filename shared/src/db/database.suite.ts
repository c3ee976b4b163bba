// The database tests, run once per dialect: database.sqlite.test.ts and database.postgres.test.ts.
// Entities choose column types from DATABASE_URL when imported, so callers set it first and the
// shared package is imported dynamically here.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { DataSource } from 'typeorm';

export function databaseSuite(settings: { DATABASE_URL?: string; sqliteFile: string }): void {
  let shared: typeof import('../index.js');
  let ds: DataSource;

  before(async () => {
    shared = await import('../index.js');
    if (settings.DATABASE_URL) {
      // Start from an empty database on every run.
      const bare = shared.createDataSource(settings);
      await bare.initialize();
      await bare.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      await bare.destroy();
    }
    ({ dataSource: ds } = await shared.openDatabase(settings));
  });
  after(async () => ds?.destroy());

  test('migrations create every table from an empty database, matching the entities', async () => {
    const tables = ['users', 'students', 'face_templates', 'class_groups', 'class_sessions', 'cameras', 'attendance_log',
      'liveness_sessions', 'detection_logs', 'audit_log', 'api_keys', 'consents', 'attendance_monthly'];
    const runner = ds.createQueryRunner();
    try {
      for (const t of tables) assert.ok(await runner.hasTable(t), `table ${t} exists`);
    } finally {
      await runner.release();
    }
    const pending = await ds.driver.createSchemaBuilder().log();
    assert.deepEqual(pending.upQueries.map((q) => q.query), [], 'entities and migrations agree');
    assert.equal(await ds.showMigrations(), false, 'no pending migration');
    await shared.assertSchemaCurrent(ds);
  });

  test('a second attendance mark for the same student, day and slot is rejected by the database', async () => {
    const { Student, AttendanceLog, isUniqueViolation, schoolDay } = shared;
    const student = await Student.create({ name: 'Ada Lovelace', rollNumber: `R-${Date.now()}` }).save();
    const at = new Date('2026-03-02T08:05:00Z');
    const day = schoolDay(at, 'Europe/London');
    const mark = { studentId: student.id, markedAt: at, day, status: 'present' as const, source: 'camera' as const };
    await AttendanceLog.insert({ ...mark, slot: 'day' });
    await assert.rejects(AttendanceLog.insert({ ...mark, slot: 'day', markedAt: new Date('2026-03-02T11:00:00Z') }), (err) => isUniqueViolation(err));
    // Another slot (a timetable session) and another day are separate marks.
    await AttendanceLog.insert({ ...mark, slot: 'session:1' });
    await AttendanceLog.insert({ ...mark, slot: 'day', day: '2026-03-03', markedAt: new Date('2026-03-03T08:00:00Z') });
    assert.equal(await AttendanceLog.countBy({ studentId: student.id }), 3);
  });

  test('the first run creates one admin with a generated password, and only once', async () => {
    const first = await shared.ensureFirstAdmin(ds);
    assert.equal(first.created, true);
    assert.ok(first.generatedPassword && first.generatedPassword.length >= 16);
    const admin = await shared.User.findOneByOrFail({ username: 'admin' });
    assert.equal(admin.role, 'admin');
    assert.notEqual(admin.passwordHash, first.generatedPassword);
    assert.ok(await shared.verifyPassword(admin.passwordHash, first.generatedPassword));
    assert.equal(await shared.verifyPassword(admin.passwordHash, 'wrong password'), false);
    const second = await shared.ensureFirstAdmin(ds);
    assert.deepEqual(second, { created: false });
  });

  test('encrypted face templates round-trip through the database and are bound to their student', async () => {
    const { Student, FaceTemplate, TemplateCipher } = shared;
    const cipher = new TemplateCipher(Buffer.alloc(32, 7), 'k1');
    const a = await Student.create({ name: 'A', rollNumber: `A-${Date.now()}` }).save();
    const b = await Student.create({ name: 'B', rollNumber: `B-${Date.now()}` }).save();
    const vector = Float32Array.from({ length: 128 }, (_, i) => Math.sin(i));
    const id = crypto.randomUUID();
    await FaceTemplate.insert({ id, studentId: a.id, pose: 'center', modelId: 'test', keyId: 'k1', quality: 0.9, ciphertext: cipher.encrypt(vector, a.id, id) });
    const row = await FaceTemplate.findOneByOrFail({ id });
    assert.deepEqual(cipher.decrypt(row.ciphertext, a.id, id), vector);
    // The same bytes under another student (a copied row) do not decrypt.
    assert.throws(() => cipher.decrypt(row.ciphertext, b.id, id));
  });

  test('constraint violations are told apart: unique, foreign key, not null; ids out of range never reach SQL', async () => {
    const { Student, AttendanceLog, constraintViolation, parseId, BadRequestError } = shared;
    const student = await Student.create({ name: 'Kind', rollNumber: `K-${Date.now()}` }).save();
    // A fresh object each time: insert() writes the generated id back into the one it is given.
    const mark = () => ({ studentId: student.id, markedAt: new Date(), day: '2026-03-09', slot: 'day', status: 'present' as const, source: 'api' as const });
    await AttendanceLog.insert(mark());
    const kind = (p: Promise<unknown>) => p.then(() => 'none', (err) => constraintViolation(err));
    assert.equal(await kind(AttendanceLog.insert(mark())), 'unique');
    assert.equal(await kind(AttendanceLog.insert({ ...mark(), day: '2026-03-10', cameraId: 999_999 })), 'foreign_key');
    assert.equal(await kind(Student.insert({ name: null as unknown as string, rollNumber: `N-${Date.now()}` })), 'not_null');
    assert.equal(await kind(Student.insert({ name: 'Dup', rollNumber: student.rollNumber })), 'unique');
    for (const bad of [0, -1, 1.5, 2 ** 31, '2147483648', '12abc', null, 'x']) assert.throws(() => parseId(bad, 'id'), BadRequestError, String(bad));
    assert.equal(parseId('2147483647', 'id'), 2 ** 31 - 1);
    assert.equal(parseId(7, 'id'), 7);
  });

  test('concurrent transactions on one data source commit or roll back alone; writes beside them are never rolled back with them', async () => {
    const { Student, AuditLog, writeAudit } = shared;
    const tag = `C${Date.now()}`;
    const transactions = Array.from({ length: 12 }, (_, i) => ds.transaction(async (tx) => {
      await tx.getRepository(Student).insert({ name: 'Tx', rollNumber: `${tag}-${i}` });
      await new Promise((r) => setTimeout(r, 5)); // a pause mid-transaction, as between an enrolment's inserts
      if (i % 2) throw new Error('rolled back on purpose');
    }).then(() => 'committed', () => 'rolled back'));
    const beside = Array.from({ length: 30 }, (_, i) => writeAudit(ds, { action: `${tag}.beside`, entityId: i }));
    const outcomes = await Promise.all(transactions);
    await Promise.all(beside);
    const rolls = new Set((await Student.find({ where: { name: 'Tx' } })).map((s) => s.rollNumber));
    outcomes.forEach((o, i) => assert.equal(rolls.has(`${tag}-${i}`), o === 'committed', `transaction ${i} ${o}`));
    assert.deepEqual(outcomes.filter((o) => o === 'committed').length, 6);
    assert.equal(await AuditLog.countBy({ action: `${tag}.beside` }), 30, 'no write beside a transaction was rolled back with it');
  });

  test('every change that decides who can be recognised lands in the gallery outbox, in its own transaction', async () => {
    const { Student, FaceTemplate, galleryVersion, galleryChangesSince } = shared;
    const student = await Student.create({ name: 'Outbox', rollNumber: `O-${Date.now()}`, active: true, consentAt: new Date() }).save();
    const since = await galleryVersion(ds);
    const changed = async (what: string, change: () => Promise<unknown>, expected: boolean) => {
      const before = await galleryVersion(ds);
      await change();
      const after = await galleryChangesSince(ds, before);
      assert.deepEqual(after.studentIds, expected ? [student.id] : [], what);
    };
    const id = crypto.randomUUID();
    await changed('template added', () => FaceTemplate.insert({ id, studentId: student.id, pose: 'center', modelId: 'm', keyId: 'k', quality: 1, ciphertext: Buffer.alloc(8) }), true);
    await changed('deactivated', () => Student.update(student.id, { active: false }), true);
    await changed('reactivated', () => Student.update(student.id, { active: true }), true);
    await changed('renamed', () => Student.update(student.id, { name: 'Outbox 2' }), true);
    await changed('enrolment date only', () => Student.update(student.id, { enrolledAt: new Date() }), false);
    await changed('consent withdrawn', () => Student.update(student.id, { consentAt: null }), true);
    await changed('soft-deleted', () => ds.getRepository(Student).softDelete(student.id), true);
    await changed('template erased', () => FaceTemplate.delete({ id }), true);
    await changed('a rolled-back change', () => ds.transaction(async (tx) => {
      await tx.getRepository(Student).update(student.id, { name: 'never' });
      throw new Error('rolled back on purpose');
    }).catch(() => undefined), false);
    const all = await galleryChangesSince(ds, since);
    assert.equal(all.complete, true);
    assert.equal(all.version, await galleryVersion(ds));
  });
}

export const sqliteFileFor = (name: string) => path.join(process.env.TEST_TMP_DIR ?? process.env.DATA_DIR ?? '/tmp', `${name}-${process.pid}.sqlite`);
