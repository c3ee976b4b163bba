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
}

export const sqliteFileFor = (name: string) => path.join(process.env.TEST_TMP_DIR ?? process.env.DATA_DIR ?? '/tmp', `${name}-${process.pid}.sqlite`);
