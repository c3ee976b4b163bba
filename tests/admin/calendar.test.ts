// The school calendar on the real admin app (SQLite file, Redis): a holiday, a closure or a class trip
// removes its days from every report, the dashboard, both CSV/JSON exports, and the register.
import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AttendanceLog, createApiKey } from '@attendance/shared';
import { parseCsv } from '../../admin-server/src/services/csv.js';
import { AttendanceService } from '../../ai-engine/src/attendance/attendance.service.js';
import { Metrics } from '../../ai-engine/src/observability/metrics.js';
import { Publisher } from '../../ai-engine/src/transport/ws/publisher.js';
import { startAdminApp, type AdminUnderTest } from '../helpers/admin-app.js';
import { PASSWORD, seedFixture, type Fixture } from '../helpers/admin-fixtures.js';
import { loginCookie, withCookie } from '../helpers/admin-http.js';

let app: AdminUnderTest;
let fx: Fixture;
const cookies: Record<string, string> = {};
const as = (role: string) => withCookie(cookies[role]);
const json = async (res: Response) => ({ status: res.status, body: await res.json() as Record<string, any> });
const get = async (role: string, path: string) => json(await as(role)(app.url + path));
const post = (role: string, path: string, fields: Record<string, string>) => as(role)(app.url + path, { method: 'POST', body: new URLSearchParams(fields) });
// Fixture: lessons on Mondays; marks on Monday 2 March. The next Monday is 9 March; "today" is Tuesday 10 March.
const HOLIDAY = '2026-03-02';
const NEXT = '2026-03-09';

before(async () => {
  app = await startAdminApp('calendar', { clock: () => new Date('2026-03-10T12:00:00Z') });
  fx = await seedFixture(app.ds);
  // Both Mondays have marks in group A and B.
  await app.ds.getRepository(AttendanceLog).save([fx.students[0], fx.students[3]].map((s, i) => ({
    studentId: s.id, day: NEXT, slot: `session:${fx.sessions[i].id}`, status: 'present' as const, markedAt: new Date(`${NEXT}T09:01:00Z`), source: 'camera' as const,
  })));
  for (const role of ['admin', 'staff', 'teacher']) cookies[role] = (await loginCookie(app.url, role, PASSWORD)).cookie!;
});
after(async () => app?.stop());

const reportDays = async (groupId: number) => (await get('admin', `/api/reports/class-group/${groupId}?from=${HOLIDAY}&to=${NEXT}`)).body.days.map((d: { day: string }) => d.day);
const csvDays = async (q = '') => {
  const res = await as('admin')(`${app.url}/api/attendance/export.csv?from=${HOLIDAY}&to=${NEXT}${q}`);
  assert.equal(res.status, 200);
  const [head, ...rows] = parseCsv(await res.text());
  return rows.map((r) => r[head.indexOf('day')]);
};

describe('the school calendar', () => {
  test('before any entry, both Mondays count', async () => {
    assert.deepEqual(await reportDays(fx.groups.a.id), [HOLIDAY, NEXT]);
    assert.ok((await csvDays()).includes(HOLIDAY));
  });

  test('staff enter a holiday through the panel; bad entries are refused with a message per field', async () => {
    const bad = await json(await post('staff', '/admin/api/resources/CalendarEntry/actions/new', { kind: 'holiday', name: 'Backwards', startDay: '2026-03-05', endDay: '2026-03-01' }));
    assert.match(JSON.stringify(bad.body.record?.errors ?? bad.body), /before the first/);
    const trip = await json(await post('staff', '/admin/api/resources/CalendarEntry/actions/new', { kind: 'exception', name: 'Trip', startDay: NEXT, endDay: NEXT }));
    assert.match(JSON.stringify(trip.body.record?.errors ?? trip.body), /one class group/);
    const made = await json(await post('staff', '/admin/api/resources/CalendarEntry/actions/new', { kind: 'holiday', name: 'Spring holiday', startDay: HOLIDAY, endDay: HOLIDAY }));
    assert.equal(made.body.notice.type, 'success', JSON.stringify(made.body));
    const teacher = await as('teacher')(app.url + '/admin/api/resources/CalendarEntry/actions/new', { method: 'POST', body: new URLSearchParams({ kind: 'holiday', name: 'x', startDay: NEXT, endDay: NEXT }) });
    assert.equal(teacher.status, 403);
  });

  test('the holiday leaves every report and export', async () => {
    assert.deepEqual(await reportDays(fx.groups.a.id), [NEXT], 'class report');
    assert.deepEqual(await reportDays(fx.groups.b.id), [NEXT], 'the other class too');
    const student = (await get('admin', `/api/reports/student/${fx.students[0].id}?from=${HOLIDAY}&to=${NEXT}`)).body;
    assert.deepEqual(student.marks.map((m: { day: string }) => m.day), [NEXT], 'student history');
    assert.deepEqual(student.summary.counts, { present: 1, late: 0, absent: 0, excused: 0 }, 'the holiday is no absence');
    assert.ok((await csvDays()).length > 0);
    assert.ok(!(await csvDays()).includes(HOLIDAY), 'panel CSV export');
    const { key } = await createApiKey(app.ds, { name: 'sis', scope: 'sis', cameraId: null }, { id: fx.users.admin.id, name: 'admin' });
    const sis = await json(await fetch(`${app.url}/api/v1/attendance?from=${HOLIDAY}&to=${NEXT}`, { headers: { 'x-api-key': key } }));
    assert.equal(sis.status, 200);
    const sisDays = (sis.body.data ?? sis.body.rows ?? sis.body.items) as { day: string }[];
    assert.ok(sisDays.length > 0 && sisDays.every((m) => m.day !== HOLIDAY), `SIS API: ${JSON.stringify(sis.body).slice(0, 300)}`);
    // The register export (one row per student per lesson, absences included) has no holiday rows either.
    const reg = await as('admin')(`${app.url}/api/register.csv?from=${HOLIDAY}&to=${NEXT}`);
    assert.equal(reg.status, 200);
    const [regHead, ...regRows] = parseCsv(await reg.text());
    const regDays = regRows.map((r) => r[regHead.indexOf('date')]);
    assert.ok(regDays.includes(NEXT) && !regDays.includes(HOLIDAY), `register export: ${[...new Set(regDays)]}`);
    const dash = (await get('admin', '/api/dashboard')).body;
    assert.ok(dash.rateByDay.length > 0);
    assert.ok(!dash.rateByDay.some((d: { day: string }) => d.day === HOLIDAY), 'dashboard rate');
  });

  test('a class trip removes the day for that class only; the register refuses a lesson that does not happen', async () => {
    const made = await json(await post('admin', '/admin/api/resources/CalendarEntry/actions/new', { kind: 'exception', name: 'Museum trip', startDay: NEXT, endDay: NEXT, classGroupId: String(fx.groups.b.id) }));
    assert.equal(made.body.notice.type, 'success', JSON.stringify(made.body));
    assert.deepEqual(await reportDays(fx.groups.b.id), [], 'class B was away');
    assert.deepEqual(await reportDays(fx.groups.a.id), [NEXT], 'class A had its lesson');
    assert.ok(!(await csvDays(`&classGroupId=${fx.groups.b.id}`)).includes(NEXT));
    // The engine's rules read the same calendar: class B's lesson does not run, so its camera marks the day only.
    const engine = new AttendanceService(app.ds, 'UTC', new Publisher(), new Metrics(), () => new Date(`${NEXT}T09:05:00Z`));
    const away = await engine.mark({ studentId: fx.students[3].id, confidence: 0.9, source: 'camera', cameraId: fx.cameras.b.id });
    assert.ok(away.marked && away.record.slot === 'day', JSON.stringify(away));
    const here = await engine.mark({ studentId: fx.students[1].id, confidence: 0.9, source: 'camera', cameraId: fx.cameras.a.id });
    assert.ok(here.marked && here.record.slot === `session:${fx.sessions[0].id}`, JSON.stringify(here));
    const onHoliday = await as('teacher')(`${app.url}/api/register/${fx.sessions[0].id}/${HOLIDAY}/remaining-absent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(onHoliday.status, 409);
    assert.match(((await onHoliday.json()) as { message: string }).message, /Spring holiday/);
  });

  test('the register routes answer bad input with a 4xx and a message, never a 5xx', async () => {
    const lessonId = fx.sessions[0].id;
    const cases: [string, string, unknown, number][] = [
      ['GET', `/api/register/abc/${NEXT}`, undefined, 400],
      ['GET', `/api/register/${lessonId}/2026-13-45x`, undefined, 400],
      ['GET', `/api/register/999999/${NEXT}`, undefined, 404],
      ['GET', `/api/register/lessons?day=soon`, undefined, 400],
      ['POST', `/api/register/${lessonId}/${NEXT}/students/${fx.students[0].id}`, { status: 'absent', reasonCode: 'alien abduction' }, 400],
      ['POST', `/api/register/${lessonId}/${NEXT}/students/${fx.students[0].id}`, { status: 'present', reasonCode: 'illness' }, 400],
      ['POST', `/api/register/${lessonId}/${NEXT}/students/${fx.students[3].id}`, { status: 'present' }, 403],
      ['POST', `/api/register/${lessonId}/${NEXT}/confirm`, {}, 409],
      ['POST', `/api/register/${lessonId}/${NEXT}/students/1e400`, { status: 'present' }, 400],
    ];
    for (const [method, path, body, status] of cases) {
      const res = await as('teacher')(app.url + path, method === 'GET' ? {} : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const answer = await res.json() as { message?: string };
      assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(answer)}`);
      assert.ok(answer.message, `${method} ${path} says why`);
    }
    const crossSite = await as('teacher')(`${app.url}/api/register/${lessonId}/${NEXT}/confirm`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    assert.equal(crossSite.status, 403, 'a cross-site write is refused (CSRF)');
  });

  test('once terms exist, days outside every term have no lessons', async () => {
    const made = await json(await post('admin', '/admin/api/resources/CalendarEntry/actions/new', { kind: 'term', name: 'Spring term', startDay: '2026-03-03', endDay: '2026-03-06' }));
    assert.equal(made.body.notice.type, 'success', JSON.stringify(made.body));
    assert.deepEqual(await reportDays(fx.groups.a.id), [], 'both Mondays lie outside the term (one is also a holiday)');
    assert.deepEqual(await csvDays(), []);
  });
});
