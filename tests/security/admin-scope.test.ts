// Scoping in the admin panel fails closed: however a URL is spelled, and whichever AdminJS path reads
// the data (list, search, record, bulk, populated reference), a teacher reaches only their classes, and
// camera credentials never reach a teacher.
import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Camera, ClassSession, Student, StudentPresence } from '@attendance/shared';
import { ScopedResource } from '../../admin-server/src/admin/scoped-resource.js';
import { loadAdminUser } from '../../admin-server/src/admin/auth.js';
import { startAdminApp, type AdminUnderTest } from '../helpers/admin-app.js';
import { PASSWORD, seedFixture, type Fixture } from '../helpers/admin-fixtures.js';
import { loginCookie, withCookie } from '../helpers/admin-http.js';

let app: AdminUnderTest;
let fx: Fixture;
let doorCam: Camera;
const cookies: Record<string, string> = {};
const SECRET = 'hunter2-door';

before(async () => {
  app = await startAdminApp('sec-scope');
  fx = await seedFixture(app.ds);
  // A second camera in the teacher's room (101), with credentials, named by a timetable slot of class A.
  doorCam = await app.ds.getRepository(Camera).save({ name: 'Room 101 door', source: `rtsp://cam:${SECRET}@10.0.0.3/door`, room: '101', enabled: false, status: 'stopped' });
  await app.ds.getRepository(ClassSession).save({ classGroupId: fx.groups.a.id, cameraId: doorCam.id, weekday: 2, startTime: '09:00', endTime: '10:00', lateAfterMinutes: 10, subject: 'Art' });
  for (const role of ['admin', 'teacher']) cookies[role] = (await loginCookie(app.url, role, PASSWORD)).cookie!;
});
after(() => app?.stop());

const as = (role: string) => withCookie(cookies[role]);
const dora = () => fx.students[3].id;

describe('the admin guard fails closed', () => {
  test('case-changed and encoded paths to another class\'s record are 403 for a teacher', async () => {
    for (const path of [
      `/admin/api/resources/Student/records/${dora()}/show`,
      `/admin/API/resources/Student/records/${dora()}/show`,
      `/admin/Api/Resources/Student/Records/${dora()}/show`,
      `/admin/api/resources/student/records/${dora()}/show`,
      `/admin/api/resources/%53tudent/records/${dora()}/show`,
      `/admin/RESOURCES/Student/records/${dora()}/show`,
      `/admin/api/resources/User/records/${fx.users.admin.id}/SHOW`,
      `/admin/api/resources/Student/records/${dora()}abc/show`,
      `/admin/api/Resources/AuditLog/actions/list`,
      `/admin/api/resources/Student/bulk/bulkDelete?recordIds=${dora()}`,
      `/admin/api/something-new/Student/${dora()}`,
    ]) {
      const res = await as('teacher')(app.url + path);
      assert.equal(res.status, 403, `${path} → ${res.status}`);
      assert.ok(!(await res.text()).includes('Dora'), path);
    }
    // Their own class's student, in any spelling, is still theirs.
    assert.equal((await as('teacher')(`${app.url}/admin/API/resources/Student/records/${fx.students[0].id}/show`)).status, 200);
  });

  test('search through the actions/{action}/{query} route returns only the teacher\'s students', async () => {
    const res = await as('teacher')(`${app.url}/admin/api/resources/Student/actions/search/Dora`);
    assert.equal(res.status, 200);
    const body = await res.json() as { records: Array<{ params: { name: string } }> };
    assert.deepEqual(body.records.map((r) => r.params.name), []);
    const own = await (await as('teacher')(`${app.url}/admin/api/resources/Student/actions/search/Ada`)).json() as { records: unknown[] };
    assert.equal(own.records.length, 1);
  });
});

describe('the data layer scopes every read', () => {
  test('findOne and findMany refuse another class\'s rows, and a read without a user fails', async () => {
    const teacher = await loadAdminUser(app.ds, fx.users.teacher);
    const students = new ScopedResource(Student, { resourceId: 'Student' });
    const context = { currentAdmin: teacher } as never;
    assert.equal(await students.findOne(dora(), context), null);
    assert.deepEqual((await students.findMany([dora(), fx.students[0].id], context)).map((r) => r.params.name), ['Ada, "the first"']);
    assert.equal(await students.findOne('1 OR 1=1', context), null);
    await assert.rejects(students.findOne(fx.students[0].id));
  });

  test('camera credentials reach a teacher in no list, search, record or populated reference', async () => {
    const paths = [
      '/admin/api/resources/Camera/actions/list',
      '/admin/api/resources/Camera/search/door',
      '/admin/api/resources/Camera/actions/search/door',
      `/admin/api/resources/Camera/records/${doorCam.id}/show`,
      '/admin/api/resources/ClassSession/actions/list',
    ];
    let sawDoor = false;
    for (const path of paths) {
      const res = await as('teacher')(app.url + path);
      assert.equal(res.status, 200, path);
      const text = await res.text();
      assert.ok(!text.includes(SECRET), `${path} leaks the camera password`);
      sawDoor ||= text.includes('Room 101 door');
    }
    assert.ok(sawDoor, 'the teacher does see their room\'s door camera (redacted)');
    // Staff configure cameras, so they see the URL as stored.
    assert.ok((await (await as('admin')(`${app.url}/admin/api/resources/Camera/records/${doorCam.id}/show`)).text()).includes(SECRET));
  });

  test('the panel and the engine agree: a teacher may use every camera of their rooms', async () => {
    const teacher = await loadAdminUser(app.ds, fx.users.teacher);
    assert.deepEqual(teacher.cameraIds, [fx.cameras.a.id, doorCam.id].sort((a, b) => a - b));
  });

  test('presence is scoped by class: the teacher\'s student seen elsewhere is listed, another class\'s student in their room is not', async () => {
    const seen = (studentId: number, camera: { id: number }) => app.ds.getRepository(StudentPresence).insert({
      studentId, cameraId: camera.id, cameraKey: camera.id, day: '2026-03-03', firstSeenAt: new Date('2026-03-03T08:01:00Z'), lastSeenAt: new Date('2026-03-03T11:40:00Z'),
    });
    await seen(fx.students[1].id, fx.cameras.b); // Ben (class A) seen in room 202
    await seen(dora(), fx.cameras.a); // Dora (class B) seen in room 101
    const res = await as('teacher')(`${app.url}/admin/api/resources/StudentPresence/actions/list?filters.day=2026-03-03`);
    const body = await res.json() as { records: Array<{ params: { studentId: number } }> };
    assert.deepEqual(body.records.map((r) => r.params.studentId), [fx.students[1].id]);
  });
});
