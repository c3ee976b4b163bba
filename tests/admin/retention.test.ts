// The retention policy on a fixture database with an injected clock: it deletes exactly what the
// policy says, keeps monthly totals, reports the same in a dry run, and is audited once.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { DataSource } from 'typeorm';
import { AttendanceLog, AttendanceMonthly, AuditLog, FaceTemplate, Student, openDatabase } from '@attendance/shared';
import { RetentionService, monthsBefore } from '../../admin-server/src/services/retention.service.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);
let ds: DataSource;
const jobs: Array<{ name: string; data: unknown }> = [];
const queue = { add: async (name: string, data: unknown) => { jobs.push({ name, data }); } };
const ids: Record<string, number> = {};

async function student(key: string, fields: Partial<Student>, templates: number): Promise<void> {
  const s = await ds.getRepository(Student).save(ds.getRepository(Student).create({ name: key, rollNumber: key, active: true, ...fields }));
  ids[key] = s.id;
  for (let i = 0; i < templates; i++) {
    await ds.getRepository(FaceTemplate).insert({ id: crypto.randomUUID(), studentId: s.id, pose: 'upload', modelId: 'm', keyId: 'k1', quality: 1, ciphertext: crypto.randomBytes(64) });
  }
}

before(async () => {
  ({ dataSource: ds } = await openDatabase({ sqliteFile: path.join(process.env.TEST_TMP_DIR ?? os.tmpdir(), `retention-${process.pid}.sqlite`) }));
  await student('present', {}, 2);
  await student('left-40-days', { active: false, inactiveSince: daysAgo(40) }, 2);
  await student('left-10-days', { active: false, inactiveSince: daysAgo(10) }, 1);
  await student('deleted-31-days', {}, 1);
  await ds.getRepository(Student).update(ids['deleted-31-days'], { deletedAt: daysAgo(31) });
  const mark = (day: string, status: 'present' | 'late', slot = 'day') => ds.getRepository(AttendanceLog).insert({
    studentId: ids.present, day, slot, status, source: 'camera', markedAt: new Date(`${day}T08:00:00Z`),
  });
  await mark('2023-05-02', 'present');
  await mark('2023-05-03', 'present');
  await mark('2023-05-04', 'late');
  await mark('2024-10-31', 'present');
  await mark('2024-11-01', 'present');
  await mark('2026-11-20', 'present');
});
after(async () => ds?.destroy());

test('the cutoff is the first day of the month N months back', () => {
  assert.equal(monthsBefore('2026-11-22', 24), '2024-11-01');
  assert.equal(monthsBefore('2026-01-15', 1), '2025-12-01');
  assert.equal(monthsBefore('2026-03-31', 14), '2025-01-01');
});

test('a dry run reports what the policy would delete and changes nothing', async () => {
  const service = new RetentionService(ds, queue, { templateDays: 30, attendanceMonths: 24, timeZone: 'UTC' }, () => NOW);
  const report = await service.run({ dryRun: true });
  assert.deepEqual(report.templates.map((t) => [t.name, t.templates]).sort(), [['deleted-31-days', 1], ['left-40-days', 2]]);
  assert.equal(report.attendanceCutoff, '2024-11-01');
  assert.equal(report.attendanceRows, 4);
  assert.equal(await ds.getRepository(FaceTemplate).count(), 6);
  assert.equal(await ds.getRepository(AttendanceLog).count(), 6);
  assert.equal(jobs.length, 0);
  assert.equal(await ds.getRepository(AuditLog).countBy({ action: 'retention.applied' }), 0);
});

test('applying the policy deletes exactly that, keeps monthly totals, tells the engines and is audited once', async () => {
  const service = new RetentionService(ds, queue, { templateDays: 30, attendanceMonths: 24, timeZone: 'UTC' }, () => NOW);
  await service.run({ dryRun: false });
  const left = async (key: string) => ds.getRepository(FaceTemplate).countBy({ studentId: ids[key] });
  assert.deepEqual([await left('present'), await left('left-40-days'), await left('left-10-days'), await left('deleted-31-days')], [2, 0, 1, 0]);
  assert.deepEqual((await ds.getRepository(AttendanceLog).find({ order: { day: 'ASC' } })).map((a) => a.day), ['2024-11-01', '2026-11-20']);
  const totals = await ds.getRepository(AttendanceMonthly).find({ order: { month: 'ASC' } });
  assert.deepEqual(totals.map((t) => [t.month, t.present, t.late]), [['2023-05', 2, 1], ['2024-10', 1, 0]]);
  assert.deepEqual(jobs.map((j) => j.name), ['gallery.templates-deleted', 'gallery.templates-deleted']);
  assert.equal(await ds.getRepository(AuditLog).countBy({ action: 'retention.applied' }), 1);
  // A second run the same night finds nothing more to do.
  const again = await service.run({ dryRun: false });
  assert.deepEqual([again.templates.length, again.attendanceRows], [0, 0]);
});

test('deactivating a student starts the retention clock; reactivating stops it', async () => {
  const s = await ds.getRepository(Student).findOneByOrFail({ id: ids.present });
  s.active = false;
  await s.save();
  assert.ok((await ds.getRepository(Student).findOneByOrFail({ id: s.id })).inactiveSince);
  s.active = true;
  await s.save();
  assert.equal((await ds.getRepository(Student).findOneByOrFail({ id: s.id })).inactiveSince, null);
});
