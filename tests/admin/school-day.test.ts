// Import, register export, roll call and the webhook log through the real admin app (SQLite file, Redis,
// HTTP with the session cookie and the SIS key): roles, CSRF, local times, absences in the export.
import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Student, StudentPresence, WebhookEndpoint, createApiKey } from '@attendance/shared';
import { parseCsv } from '../../admin-server/src/services/csv.js';
import { startAdminApp, type AdminUnderTest } from '../helpers/admin-app.js';
import { PASSWORD, seedFixture, type Fixture } from '../helpers/admin-fixtures.js';
import { loginCookie, withCookie } from '../helpers/admin-http.js';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/oneroster');
const files = Object.fromEntries(fs.readdirSync(FIXTURE).filter((f) => f.endsWith('.csv')).map((f) => [f, fs.readFileSync(path.join(FIXTURE, f), 'utf8')]));
const NOW = new Date('2026-03-10T10:30:00Z');
let app: AdminUnderTest;
let fx: Fixture;
const cookies: Record<string, string> = {};
const as = (role: string) => withCookie(cookies[role]);
const postJson = (role: string, p: string, body: unknown, headers: Record<string, string> = {}) =>
  as(role)(app.url + p, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

before(async () => {
  app = await startAdminApp('school-day', { clock: () => NOW, env: { SCHOOL_TIMEZONE: 'Europe/Berlin' } });
  fx = await seedFixture(app.ds);
  for (const role of ['admin', 'staff', 'teacher']) cookies[role] = (await loginCookie(app.url, role, PASSWORD)).cookie!;
});
after(async () => app?.stop());

describe('roster import in the panel', () => {
  test('only admins import; a cross-site post and a malformed body are refused', async () => {
    assert.equal((await postJson('staff', '/api/roster/import', { files, dryRun: true })).status, 403);
    assert.equal((await postJson('teacher', '/api/roster/import', { files, dryRun: true })).status, 403);
    assert.equal((await postJson('admin', '/api/roster/import', { files, dryRun: true }, { origin: 'https://evil.example' })).status, 403);
    const bad = await postJson('admin', '/api/roster/import', { files: ['users.csv'] });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /files/);
  });

  test('a dry run lists the changes, apply makes them, a second apply changes nothing', async () => {
    const dry = await (await postJson('admin', '/api/roster/import', { files, dryRun: true })).json() as { changes: unknown[]; applied: boolean };
    assert.equal(dry.applied, false);
    assert.equal(dry.changes.length, 14);
    assert.equal(await app.ds.getRepository(Student).countBy({ rollNumber: 'R1001' }), 0);
    const applied = await (await postJson('admin', '/api/roster/import', { files, dryRun: false })).json() as { changes: unknown[]; applied: boolean };
    assert.deepEqual([applied.applied, applied.changes.length], [true, 14]);
    const again = await (await postJson('admin', '/api/roster/import', { files, dryRun: false })).json() as { changes: unknown[]; unchanged: number };
    assert.deepEqual([again.changes.length, again.unchanged], [0, 14]);
  });
});

describe('the register export', () => {
  const monday = 'from=2026-03-02&to=2026-03-02';
  const rowsOf = (text: string) => {
    const [head, ...rows] = parseCsv(text);
    return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
  };

  test('every student of the lesson, the absent one included, with school-local times (panel CSV)', async () => {
    const res = await as('admin')(`${app.url}/api/register.csv?${monday}&classGroupId=${fx.groups.a.id}`);
    assert.equal(res.status, 200);
    const rows = rowsOf(await res.text());
    assert.deepEqual(rows.map((r) => [r.roll_number, r.status, r.marked_at, r.lesson_start, r.subject]), [
      ['A-001', 'present', '2026-03-02 10:02', '09:00', 'Maths'],
      ['A-002', 'late', '2026-03-02 10:25', '09:00', 'Maths'],
      ['A-003', 'absent', '', '09:00', 'Maths'],
    ]);
  });

  test('a teacher exports only their own classes; the SIS API serves the same rows with a key', async () => {
    const teacherRows = rowsOf(await (await as('teacher')(`${app.url}/api/register.csv?${monday}`)).text());
    assert.deepEqual([...new Set(teacherRows.map((r) => r.class))], [fx.groups.a.name]);
    const { key } = await createApiKey(app.ds, { name: 'SIS', scope: 'sis', cameraId: null }, { id: null, name: 'test' });
    const api = await (await fetch(`${app.url}/api/v1/register?${monday}&perPage=200`, { headers: { 'x-api-key': key } })).json() as { total: number; data: Array<Record<string, unknown>> };
    assert.ok(api.data.some((r) => r.roll_number === 'A-003' && r.status === 'absent'));
    assert.ok(api.data.some((r) => r.roll_number === 'B-001'));
    assert.equal((await fetch(`${app.url}/api/v1/register?from=2026-03-02`, { headers: { 'x-api-key': key } })).status, 400);
    for (const q of ['from=2020-01-01&to=2026-03-02', `${monday}&classGroupId=99999999999999999999`, `${monday}&classGroupId=abc`]) {
      assert.equal((await fetch(`${app.url}/api/v1/register?${q}`, { headers: { 'x-api-key': key } })).status, 400, q);
    }
    assert.equal((await fetch(`${app.url}/api/v1/register.csv?${monday}`)).status, 401);
  });
});

describe('on site now', () => {
  test('students seen today, by class, printable; teachers see their classes only', async () => {
    await app.ds.getRepository(StudentPresence).save([
      { studentId: fx.students[0].id, cameraId: fx.cameras.a.id, cameraKey: fx.cameras.a.id, day: '2026-03-10', firstSeenAt: new Date('2026-03-10T07:40:00Z'), lastSeenAt: new Date('2026-03-10T09:55:00Z') },
      { studentId: fx.students[3].id, cameraId: null, cameraKey: 0, day: '2026-03-10', firstSeenAt: new Date('2026-03-10T07:50:00Z'), lastSeenAt: new Date('2026-03-10T08:00:00Z') },
      { studentId: fx.students[2].id, cameraId: null, cameraKey: 0, day: '2026-03-09', firstSeenAt: new Date('2026-03-09T07:50:00Z'), lastSeenAt: new Date('2026-03-09T08:00:00Z') },
    ]);
    const list = await (await as('staff')(`${app.url}/api/on-site`)).json() as { students: Array<{ rollNumber: string; lastSeen: string; lastCamera: string }> };
    assert.deepEqual(list.students.map((s) => [s.rollNumber, s.lastSeen, s.lastCamera]), [
      ['A-001', '2026-03-10 10:55', fx.cameras.a.name], ['B-001', '2026-03-10 09:00', 'laptop camera'],
    ]);
    const teacher = await (await as('teacher')(`${app.url}/api/on-site`)).json() as { students: unknown[] };
    assert.equal(teacher.students.length, 1);
    const page = await as('staff')(`${app.url}/api/on-site?format=html`);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const html = await page.text();
    assert.match(html, /On site now: 2 students/);
    assert.ok(html.includes('Ada, &#34;the first&#34;'), 'names are escaped');
  });

  test('webhooks are for admins: an endpoint is checked and gets a random secret; the delivery log', async () => {
    const add = (role: string, fields: Record<string, string>) => as(role)(`${app.url}/admin/api/resources/WebhookEndpoint/actions/new`, { method: 'POST', body: new URLSearchParams(fields) });
    assert.equal((await add('staff', { name: 'SIS', url: 'https://sis.example.org/h', events: 'student.absent' })).status, 403);
    const bad = await (await add('admin', { name: 'SIS', url: 'ftp://sis.example.org/h', events: 'student.absent' })).json() as { record?: { errors?: Record<string, { message: string }> } };
    assert.match(bad.record?.errors?.url?.message ?? JSON.stringify(bad), /must start with https:\/\//);
    const ok = await (await add('admin', { name: 'SIS', url: 'https://sis.example.org/h', events: 'student.absent,student.late', active: 'true' })).json() as { notice?: { type: string } };
    assert.equal(ok.notice?.type, 'success', JSON.stringify(ok));
    const row = await app.ds.getRepository(WebhookEndpoint).findOneByOrFail({ name: 'SIS' });
    assert.ok(row.secret.length >= 40, 'a random secret was generated');
    assert.equal((await as('staff')(`${app.url}/admin/api/resources/WebhookDelivery/actions/list`)).status, 403);
    assert.equal((await as('admin')(`${app.url}/admin/api/resources/WebhookDelivery/actions/list`)).status, 200);
    assert.equal((await as('staff')(`${app.url}/api/webhooks/deliveries`)).status, 403);
    assert.equal((await as('admin')(`${app.url}/api/webhooks/deliveries`)).status, 200);
  });
});

describe('the timetable refuses times that would never match', () => {
  const save = async (path: string, fields: Record<string, string>) => {
    const res = await as('staff')(app.url + path, { method: 'POST', body: new URLSearchParams(fields) });
    return await res.json() as { notice?: { type: string }; record?: { errors?: Record<string, { message: string }> } };
  };
  const lesson = (f: Record<string, string>) => ({ classGroupId: String(fx.groups.a.id), weekday: '2', startTime: '08:00', endTime: '08:45', lateAfterMinutes: '10', ...f });

  test('"3pm", an end before the start and an overlap are refused with a message under the field', async () => {
    const pm = await save('/admin/api/resources/ClassSession/actions/new', lesson({ startTime: '3pm', endTime: '16:00' }));
    assert.match(pm.record?.errors?.startTime?.message ?? JSON.stringify(pm), /"3pm" is not a 24-hour time like 08:30 or 15:00/);
    const backwards = await save('/admin/api/resources/ClassSession/actions/new', lesson({ startTime: '10:00', endTime: '09:00' }));
    assert.match(backwards.record?.errors?.endTime?.message ?? JSON.stringify(backwards), /ends \(09:00\) before or when it starts \(10:00\)/);
    const overlap = await save('/admin/api/resources/ClassSession/actions/new', lesson({ weekday: '1', startTime: '09:30', endTime: '10:15' }));
    assert.match(overlap.record?.errors?.startTime?.message ?? JSON.stringify(overlap), /overlaps the lesson 09:00–10:00 of the same class/);
    const edit = await save(`/admin/api/resources/ClassSession/records/${fx.sessions[0].id}/edit`, { endTime: '08:00' });
    assert.match(edit.record?.errors?.endTime?.message ?? JSON.stringify(edit), /before or when it starts/);
    const ok = await save('/admin/api/resources/ClassSession/actions/new', lesson({}));
    assert.equal(ok.notice?.type, 'success', JSON.stringify(ok));
  });
});
