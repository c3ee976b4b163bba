// The year rollover through the real admin app (SQLite file, Redis, HTTP with the session cookie) and the CLI:
// the old year's reports, marks and register export are what they were; students sit in next year's classes;
// leavers are deactivated; a re-run is refused; only admins may do it, and a dry run writes nothing.
import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { AcademicYear, AttendanceLog, ClassGroup, ClassSession, Student } from '@attendance/shared';
import { parseCsv } from '../../admin-server/src/services/csv.js';
import { startAdminApp, type AdminUnderTest } from '../helpers/admin-app.js';
import { PASSWORD, seedFixture, type Fixture } from '../helpers/admin-fixtures.js';
import { loginCookie, withCookie } from '../helpers/admin-http.js';
import { run } from '../helpers/spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let app: AdminUnderTest;
let fx: Fixture;
const cookies: Record<string, string> = {};
const as = (role: string) => withCookie(cookies[role]);
const postJson = (role: string, p: string, body: unknown) =>
  as(role)(app.url + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const getJson = async (role: string, p: string) => {
  const res = await as(role)(app.url + p);
  assert.equal(res.status, 200, `${p}: ${res.status}`);
  return res.json() as Promise<Record<string, unknown>>;
};
/** The old year as the school reads it: the class report and the register export (its class column aside: the old class is renamed). */
const oldYear = async (groupId: number) => {
  const { group: _group, ...report } = await getJson('admin', `/api/reports/class-group/${groupId}?from=2026-03-02&to=2026-03-06`);
  const csv = parseCsv(await (await as('admin')(`${app.url}/api/register.csv?from=2026-03-02&to=2026-03-02&classGroupId=${groupId}`)).text());
  return { report, register: csv.map((row) => row.filter((_, i) => i !== 2)) };
};

before(async () => {
  app = await startAdminApp('rollover', { clock: () => new Date('2026-07-20T12:00:00Z') });
  fx = await seedFixture(app.ds);
  for (const role of ['admin', 'staff']) cookies[role] = (await loginCookie(app.url, role, PASSWORD)).cookie!;
});
after(async () => app?.stop());

test('a dry run (the default) lists every class and writes nothing; only admins may ask; bad input is a 400', async () => {
  assert.equal((await postJson('staff', '/api/rollover', { year: '2025-2026' })).status, 403);
  for (const body of [{}, { year: '' }, { year: '2025-2026', mapping: ['x'] }, { year: '2025-2026', mapping: { 'No such class': 'Class 9A' } }, { year: '2025-2026', leaving: 'Class 8B' }]) {
    const res = await postJson('admin', '/api/rollover', body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.ok(((await res.json()) as { message: string }).message);
  }
  const res = await postJson('admin', '/api/rollover', { year: '2025-2026', leaving: ['Class 8B'] });
  assert.equal(res.status, 200);
  const plan = (await res.json()) as { applied: boolean; classes: { from: string; to: string | null; students: number; archivedAs: string }[]; studentsMoved: number; leavers: number };
  assert.equal(plan.applied, false);
  assert.deepEqual(plan.classes.map((c) => [c.from, c.to, c.students, c.archivedAs]), [
    ['Class 7A', 'Class 8A', 3, 'Class 7A (2025-2026)'], ['Class 8B', null, 1, 'Class 8B (2025-2026)'],
  ]);
  assert.deepEqual([plan.studentsMoved, plan.leavers], [3, 1]);
  assert.equal(await app.ds.getRepository(AcademicYear).count(), 0);
  assert.equal(await app.ds.getRepository(ClassGroup).count(), 2);
});

test('a class with no number to promote: a dry run lists the problem (200), applying is a 400 that changes nothing', async () => {
  const choir = await app.ds.getRepository(ClassGroup).save({ name: 'Choir', teacherId: null });
  try {
    const dry = await postJson('admin', '/api/rollover', { year: '2025-2026', leaving: ['Class 8B'] });
    assert.equal(dry.status, 200);
    const plan = (await dry.json()) as { problems: string[]; classes: { from: string; to: string | null }[] };
    assert.deepEqual(plan.problems, ['"Choir" has no number to promote: map it to next year\'s class, or to nothing if it leaves']);
    assert.deepEqual(plan.classes.find((c) => c.from === 'Choir')?.to, null);
    const apply = await postJson('admin', '/api/rollover', { year: '2025-2026', leaving: ['Class 8B'], dryRun: false });
    assert.equal(apply.status, 400);
    assert.match(((await apply.json()) as { message: string }).message, /"Choir" has no number to promote/);
    assert.equal(await app.ds.getRepository(AcademicYear).count(), 0);
    // Mapped to nothing, it is no problem: it leaves.
    const mapped = await postJson('admin', '/api/rollover', { year: '2025-2026', leaving: ['Class 8B'], mapping: { Choir: null } });
    assert.deepEqual(((await mapped.json()) as { problems: string[] }).problems, []);
  } finally {
    await app.ds.getRepository(ClassGroup).delete(choir.id);
  }
});

test('the rollover keeps the old year true: same reports, marks and export; students in their new classes; leavers out', async () => {
  const before7A = await oldYear(fx.groups.a.id);
  const marksBefore = await app.ds.getRepository(AttendanceLog).find({ order: { id: 'ASC' } });
  assert.ok(marksBefore.every((m) => m.classGroupId !== null), 'every mark knows its class group');

  const res = await postJson('admin', '/api/rollover', { year: '2025-2026', leaving: ['Class 8B'], dryRun: false });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(((await res.json()) as { applied: boolean }).applied, true);

  // The old year: reports and the register export of Class 7A list the same students and statuses.
  const after7A = await oldYear(fx.groups.a.id);
  assert.deepEqual(after7A, before7A);
  assert.deepEqual(await app.ds.getRepository(AttendanceLog).find({ order: { id: 'ASC' } }), marksBefore);
  const old = await app.ds.getRepository(ClassGroup).findOneByOrFail({ id: fx.groups.a.id });
  assert.equal(old.name, 'Class 7A (2025-2026)');
  const marks = await getJson('admin', `/api/reports/student/${fx.students[0].id}?from=2026-03-02&to=2026-03-02`);
  assert.equal((marks.marks as { classGroup: string }[])[0].classGroup, 'Class 7A (2025-2026)', 'a mark says the class it was made in');
  // The old lessons stay for the reports but run no more: off their camera, not among a day's lessons, registers closed.
  assert.ok((await app.ds.getRepository(ClassSession).findBy({ classGroupId: fx.groups.a.id })).every((s) => s.cameraId === null));
  assert.deepEqual((await getJson('admin', '/api/register/lessons?day=2026-03-02')).lessons, []);
  const late = await postJson('admin', `/api/register/${fx.sessions[0].id}/2026-03-02/students/${fx.students[2].id}`, { status: 'present' });
  assert.equal(late.status, 409);
  assert.match(((await late.json()) as { message: string }).message, /archived school year/);

  // The new year: Ada, Ben and Cy in Class 8A; Dora left (inactive, still in her old class for its history).
  const next = await app.ds.getRepository(ClassGroup).findOneByOrFail({ name: 'Class 8A' });
  assert.equal(next.academicYearId, null);
  const students = await app.ds.getRepository(Student).find({ order: { rollNumber: 'ASC' } });
  assert.deepEqual(students.map((s) => [s.rollNumber, s.classGroupId, s.active]), [
    ['A-001', next.id, true], ['A-002', next.id, true], ['A-003', next.id, true], ['B-001', fx.groups.b.id, false],
  ]);
  assert.ok(students[3].inactiveSince, 'the retention clock of a leaver starts');
  const dashboard = await getJson('admin', '/api/dashboard');
  assert.deepEqual((dashboard.todayByGroup as { name: string }[]).map((g) => g.name), ['Class 8A'], 'the dashboard shows this year\'s classes');
  const newReport = await getJson('admin', `/api/reports/class-group/${next.id}?from=2026-09-07&to=2026-09-07`);
  assert.equal((newReport.students as unknown[]).length, 3);
});

test('a re-run of the same year is refused and changes nothing', async () => {
  const groups = await app.ds.getRepository(ClassGroup).count();
  const res = await postJson('admin', '/api/rollover', { year: '2025-2026', dryRun: false });
  assert.equal(res.status, 409);
  assert.match(((await res.json()) as { message: string }).message, /already rolled over/);
  assert.equal(await app.ds.getRepository(ClassGroup).count(), groups);
});

test('npm run rollover: a dry run prints the plan, then applies it; the same year again exits 1', async () => {
  const env = { ...process.env, SQLITE_FILE: app.config.sqliteFile, DATA_DIR: path.join(process.env.TEST_TMP_DIR!, `rollover-cli-${process.pid}`), SCHOOL_TIMEZONE: 'UTC' };
  const cli = async (args: string[]) => {
    const child = run(process.execPath, ['--import', 'tsx', 'scripts/rollover.ts', ...args], { cwd: ROOT, env });
    // 'close', not 'exit': the output is all read by then.
    if (child.child.exitCode === null || child.child.stdout?.readable) await new Promise((r) => child.child.once('close', r));
    return { code: child.child.exitCode, out: child.output() };
  };
  const dry = await cli(['--year', '2026-2027', '--dry-run']);
  assert.equal(dry.code, 0, dry.out);
  assert.match(dry.out, /Class 8A \(3 students\) → Class 9A/);
  assert.match(dry.out, /dry run, nothing written/);
  assert.equal(await app.ds.getRepository(ClassGroup).countBy({ name: 'Class 9A' }), 0);
  const applied = await cli(['--year', '2026-2027']);
  assert.equal(applied.code, 0, applied.out);
  assert.equal(await app.ds.getRepository(Student).countBy({ classGroupId: (await app.ds.getRepository(ClassGroup).findOneByOrFail({ name: 'Class 9A' })).id }), 3);
  const again = await cli(['--year', '2026-2027']);
  assert.equal(again.code, 1);
  assert.match(again.out, /already rolled over/);
});
