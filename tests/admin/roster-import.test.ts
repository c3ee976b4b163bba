// Roster import on a real SQLite file: the OneRoster fixture creates the school, a re-import changes
// nothing, a broken row is reported and nothing is written; the timetable's times are validated.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { DataSource } from 'typeorm';
import { AuditLog, ClassGroup, ClassSession, ExternalId, Student, User, openDatabase } from '@attendance/shared';
import { RosterImportService } from '../../admin-server/src/services/roster-import.service.js';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/oneroster');
const readFixture = (): Record<string, string> =>
  Object.fromEntries(fs.readdirSync(FIXTURE).filter((f) => f.endsWith('.csv')).map((f) => [f, fs.readFileSync(path.join(FIXTURE, f), 'utf8')]));

let ds: DataSource;
let roster: RosterImportService;
const counts = async () => ({
  students: await ds.getRepository(Student).count(), classes: await ds.getRepository(ClassGroup).count(),
  teachers: await ds.getRepository(User).countBy({ role: 'teacher' }), lessons: await ds.getRepository(ClassSession).count(),
  externalIds: await ds.getRepository(ExternalId).count(),
});

before(async () => {
  ({ dataSource: ds } = await openDatabase({ sqliteFile: path.join(process.env.TEST_TMP_DIR ?? os.tmpdir(), `roster-${process.pid}.sqlite`) }));
  roster = new RosterImportService(ds);
});
after(async () => ds?.destroy());

test('a dry run of the OneRoster set lists every row it would create and writes nothing', async () => {
  const report = await roster.run(readFixture(), { dryRun: true });
  assert.deepEqual(report.errors, []);
  assert.equal(report.dialect, 'oneroster');
  assert.equal(report.applied, false);
  const created = (kind: string) => report.changes.filter((c) => c.kind === kind && c.action === 'create').length;
  assert.deepEqual([created('teacher'), created('class'), created('student'), created('lesson')], [2, 3, 5, 4]);
  assert.ok(report.notes.some((n) => n.includes('Riverside Secondary School')));
  assert.deepEqual(await counts(), { students: 0, classes: 0, teachers: 0, lessons: 0, externalIds: 0 });
});

test('applying creates the school: students in their homeroom, teachers on their classes, the timetable', async () => {
  const report = await roster.run(readFixture(), { dryRun: false, actor: { id: null, name: 'test' } });
  assert.deepEqual(report.errors, []);
  assert.equal(report.applied, true);
  assert.deepEqual(await counts(), { students: 5, classes: 3, teachers: 2, lessons: 4, externalIds: 14 });
  const ada = await ds.getRepository(Student).findOneOrFail({ where: { rollNumber: 'R1001' }, relations: { classGroup: true } });
  assert.equal(ada.name, 'Ada Lovelace');
  assert.equal(ada.classGroup?.name, '7A', 'the homeroom wins over the subject class');
  assert.equal((await ds.getRepository(Student).findOneByOrFail({ rollNumber: 'R1003' })).name, 'Grace Hopper, Jr.');
  const g7a = await ds.getRepository(ClassGroup).findOneOrFail({ where: { name: '7A' }, relations: { teacher: true } });
  assert.equal(g7a.teacher?.username, 'mhopper');
  const lesson = await ds.getRepository(ClassSession).findOneByOrFail({ classGroupId: (await ds.getRepository(ClassGroup).findOneByOrFail({ name: '8B' })).id, weekday: 1 });
  assert.deepEqual([lesson.startTime, lesson.endTime, lesson.lateAfterMinutes], ['08:30', '09:15', 5]);
  assert.equal(await ds.getRepository(AuditLog).countBy({ action: 'roster.imported' }), 1);
});

test('a re-import changes nothing; a renamed student is updated in place, never duplicated', async () => {
  const again = await roster.run(readFixture(), { dryRun: false });
  assert.deepEqual(again.changes, []);
  assert.equal(again.unchanged, 14);
  const files = readFixture();
  files['users.csv'] = files['users.csv'].replace(',Alan,Turing,', ',Alan M.,Turing,');
  const renamed = await roster.run(files, { dryRun: false });
  assert.deepEqual(renamed.changes, [{ kind: 'student', action: 'update', key: 'R1002', fields: { name: 'Alan M. Turing' } }]);
  assert.equal(await ds.getRepository(Student).count(), 5);
});

test('a broken row is reported with its file and line, and nothing of the import is applied', async () => {
  const before = await counts();
  const files = readFixture();
  files['users.csv'] += 's-6,,2026-09-01T00:00:00Z,true,new.kid,,New,Kid,,R1006,,,,,07,,,,,,,org-1,\r\n';
  files['roles.csv'] += 'r-s6,,2026-09-01T00:00:00Z,s-6,primary,student,org-1,,,\r\n';
  files['enrollments.csv'] += 'e-10,,2026-09-01T00:00:00Z,c-7a,org-1,s-6,student,false,,\r\n';
  files['timetable.csv'] += 'tt-5,c-7a,3,3pm,4pm,Art,,10\r\ntt-6,c-7a,4,10:00,09:00,PE,,10\r\ntt-7,c-7a,1,09:00,09:45,Music,,10\r\n';
  const report = await roster.run(files, { dryRun: false });
  assert.equal(report.applied, false);
  const lines = report.errors.map((e) => `${e.file}:${e.line}`);
  assert.deepEqual(lines, ['timetable.csv:6', 'timetable.csv:7', 'timetable.csv:8']);
  assert.match(report.errors[0].message, /"3pm" is not a 24-hour time/);
  assert.match(report.errors[1].message, /ends \(09:00\) before or when it starts \(10:00\)/);
  assert.match(report.errors[2].message, /overlaps the lesson 08:30–09:15 of the same class/);
  assert.deepEqual(await counts(), before, 'the valid new student was not written either');
  assert.equal(await ds.getRepository(Student).countBy({ rollNumber: 'R1006' }), 0);
});

test('the project dialect: students, classes, teachers and lessons from simple files, matched by natural keys', async () => {
  const report = await roster.run({
    'classes.csv': 'name,description,teacher\r\n7A,Year 7 A,jokafor\r\n9C,Year 9 C,\r\n',
    'students.csv': 'roll_number,name,class\r\nR1001,Ada Lovelace,7A\r\nR2001,Noor Haddad,9C\r\nR2002,Broken Class,10Z\r\n',
  }, { dryRun: true });
  assert.equal(report.dialect, 'project');
  assert.deepEqual(report.errors, [{ file: 'students.csv', line: 4, message: 'unknown class "10Z"' }]);
  assert.deepEqual(report.changes.map((c) => `${c.kind} ${c.action} ${c.key}`).sort(), ['class create 9C', 'class update 7A', 'student create R2001']);
});
