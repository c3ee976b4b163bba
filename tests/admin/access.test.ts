import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AttendanceLog, AuditLog, ClassGroup, FaceTemplate, Student, StudentPresence, User, verifyToken } from '@attendance/shared';
import { startAdminApp, type AdminUnderTest } from '../helpers/admin-app.js';
import { PASSWORD, seedFixture, type Fixture } from '../helpers/admin-fixtures.js';
import { loginCookie, withCookie } from '../helpers/admin-http.js';

let app: AdminUnderTest;
let fx: Fixture;
const cookies: Record<string, string> = {};

before(async () => {
  app = await startAdminApp('access');
  fx = await seedFixture(app.ds);
  for (const role of ['admin', 'staff', 'teacher']) {
    const r = await loginCookie(app.url, role, PASSWORD);
    assert.equal(r.status, 302, `${role} logs in`);
    cookies[role] = r.cookie!;
  }
});
after(() => app.stop());

const as = (role: string) => withCookie(cookies[role]);
const json = async (res: Response) => ({ status: res.status, body: await res.json() as Record<string, any> });

describe('roles are enforced on the server', () => {
  test('the teacher gets 403 on user pages and APIs, the admin does not', async () => {
    for (const path of ['/admin/resources/User/actions/list', '/admin/api/resources/User/actions/list', '/admin/api/resources/AuditLog/actions/list', `/admin/api/resources/User/records/${fx.users.admin.id}/show`]) {
      assert.equal((await as('teacher')(app.url + path)).status, 403, path);
    }
    assert.equal((await as('staff')(app.url + '/admin/api/resources/User/actions/list')).status, 403);
    // Staff cannot search users either; they pick a class group's teacher from the teachers' names (below).
    assert.equal((await as('staff')(app.url + '/admin/api/resources/User/search/teach')).status, 403);
    assert.equal((await as('teacher')(app.url + '/admin/api/resources/User/search/adm')).status, 403);
    const list = await json(await as('admin')(app.url + '/admin/api/resources/User/actions/list'));
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.records.map((r: { params: { username: string } }) => r.params.username).sort(), ['admin', 'staff', 'teacher']);
    assert.ok(!JSON.stringify(list.body).includes('passwordHash'), 'no password hash in the user list');
    const show = await json(await as('admin')(`${app.url}/admin/api/resources/User/records/${fx.users.staff.id}/show`));
    assert.ok(!JSON.stringify(show.body).includes('argon2'), 'no password hash in the user view');
  });

  test('staff choose a class group\'s teacher by name: /api/teachers lists active teachers only, and the choice is saved', async () => {
    const hash = (await app.ds.getRepository(User).findOneByOrFail({ username: 'teacher' })).passwordHash;
    const ana = await app.ds.getRepository(User).save({ username: 'alopez', displayName: 'Ana López', role: 'teacher', active: true, passwordHash: hash });
    await app.ds.getRepository(User).save({ username: 'gone', displayName: 'Left School', role: 'teacher', active: false, passwordHash: hash });
    const list = await json(await as('staff')(app.url + '/api/teachers'));
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.teachers.map((t: { label: string }) => t.label), ['Ana López (alopez)', 'teacher (teacher)']);
    assert.deepEqual(Object.keys(list.body.teachers[0]).sort(), ['displayName', 'id', 'label', 'username'], 'names only, nothing else of the user');
    assert.equal((await as('teacher')(app.url + '/api/teachers')).status, 403);
    // Saved through AdminJS's edit action as staff; the class group then names the teacher.
    const edit = await as('staff')(`${app.url}/admin/api/resources/ClassGroup/records/${fx.groups.b.id}/edit`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ name: 'Class 8B', teacherId: String(ana.id) }),
    });
    assert.equal(edit.status, 200);
    const shown = await json(await as('staff')(`${app.url}/admin/api/resources/ClassGroup/records/${fx.groups.b.id}/show`));
    assert.equal(shown.body.record.populated.teacherId.params.displayName, 'Ana López');
    assert.ok(!JSON.stringify(shown.body).includes('argon2'));
    await app.ds.getRepository(ClassGroup).update(fx.groups.b.id, { teacherId: null });
  });

  test('the week-grid timetable routes: teachers read their own classes only, bad input is a 400 with the reason', async () => {
    const post = (role: string, group: number | string, body: unknown) => as(role)(`${app.url}/api/timetable/${group}/lessons`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const lesson = { subject: 'Art', startTime: '14:00', endTime: '14:45', weekdays: [2, 3] };
    assert.equal((await as('teacher')(`${app.url}/api/timetable/${fx.groups.a.id}`)).status, 200);
    assert.equal((await as('teacher')(`${app.url}/api/timetable/${fx.groups.b.id}`)).status, 403);
    assert.equal((await post('teacher', fx.groups.a.id, lesson)).status, 403);
    for (const [group, body, reason] of [
      ['abc', lesson, /id/], [fx.groups.a.id, { ...lesson, weekdays: [] }, /weekday/], [fx.groups.a.id, { ...lesson, weekdays: [9] }, /weekday/],
      [fx.groups.a.id, { ...lesson, cameraId: 999999 }, /camera 999999 does not exist/], [fx.groups.a.id, { ...lesson, startTime: '2pm' }, /"2pm" is not a 24-hour time/],
    ] as const) {
      const r = await json(await post('staff', group, body));
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.match(r.body.message, reason);
    }
    assert.equal((await json(await post('staff', 999999, lesson))).status, 404);
    const made = await json(await post('staff', fx.groups.a.id, lesson));
    assert.equal(made.status, 201);
    assert.deepEqual(made.body.lessons.map((l: { weekday: number }) => l.weekday), [2, 3]);
    const del = (role: string, id: unknown) => as(role)(`${app.url}/api/timetable/lessons/${id}`, { method: 'DELETE' });
    assert.equal((await del('teacher', made.body.lessons[0].id)).status, 403);
    for (const l of made.body.lessons) assert.equal((await del('staff', l.id)).status, 200);
    assert.equal((await del('staff', made.body.lessons[0].id)).status, 404);
  });

  test('the teacher lists only their class groups and students', async () => {
    const groups = await json(await as('teacher')(app.url + '/admin/api/resources/ClassGroup/actions/list'));
    assert.deepEqual(groups.body.records.map((r: { params: { name: string } }) => r.params.name), ['Class 7A']);
    const students = await json(await as('teacher')(app.url + '/admin/api/resources/Student/actions/list?perPage=50'));
    assert.equal(students.body.meta.total, 3);
    assert.ok(students.body.records.every((r: { params: { classGroupId: number } }) => r.params.classGroupId === fx.groups.a.id));
    // Asking for the other group by filter, or its student by id, gets nothing.
    const other = await json(await as('teacher')(`${app.url}/admin/api/resources/Student/actions/list?filters.classGroupId=${fx.groups.b.id}`));
    assert.equal(other.body.meta.total, 0);
    assert.equal((await as('teacher')(`${app.url}/admin/api/resources/Student/records/${fx.students[3].id}/show`)).status, 403);
    const marks = await json(await as('teacher')(app.url + '/admin/api/resources/AttendanceLog/actions/list?perPage=50'));
    assert.equal(marks.body.meta.total, 2, 'only the marks of class 7A');
    const cams = await json(await as('teacher')(app.url + '/admin/api/resources/Camera/actions/list'));
    assert.deepEqual(cams.body.records.map((r: { params: { name: string } }) => r.params.name), ['Room 101']);
    assert.equal(cams.body.records[0].params.engineState, 'engine offline');
  });

  test('presence (first/last seen) is listed; the teacher sees only their rooms\' cameras', async () => {
    const seen = (studentId: number, camera: { id: number }) => app.ds.getRepository(StudentPresence).insert({
      studentId, cameraId: camera.id, cameraKey: camera.id, day: fx.day, firstSeenAt: new Date(`${fx.day}T08:01:00Z`), lastSeenAt: new Date(`${fx.day}T11:40:00Z`),
    });
    await seen(fx.students[0].id, fx.cameras.a);
    await seen(fx.students[3].id, fx.cameras.b);
    const staffList = await json(await as('staff')(app.url + '/admin/api/resources/StudentPresence/actions/list'));
    assert.equal(staffList.body.meta.total, 2);
    const teacherList = await json(await as('teacher')(app.url + '/admin/api/resources/StudentPresence/actions/list'));
    assert.deepEqual(teacherList.body.records.map((r: { params: { cameraId: number } }) => r.params.cameraId), [fx.cameras.a.id]);
    const other = staffList.body.records.find((r: { params: { cameraId: number } }) => r.params.cameraId === fx.cameras.b.id);
    assert.equal((await as('teacher')(`${app.url}/admin/api/resources/StudentPresence/records/${other.id}/show`)).status, 403);
  });

  test('the teacher cannot delete biometric data (403, templates kept)', async () => {
    const ada = fx.students[0].id;
    const res = await as('teacher')(`${app.url}/admin/api/resources/Student/records/${ada}/deleteBiometrics`, { method: 'POST' });
    assert.equal(res.status, 403);
    assert.equal(await app.ds.getRepository(FaceTemplate).countBy({ studentId: ada }), 2);
    assert.equal((await as('teacher')(`${app.url}/admin/api/resources/Student/records/${ada}/delete`, { method: 'POST' })).status, 403);
  });

  test('staff delete biometric data: templates gone, gallery job queued, audited', async () => {
    const ada = fx.students[0].id;
    const url = `${app.url}/admin/api/resources/Student/records/${ada}/deleteBiometrics`;
    // A GET (a link someone clicked) only shows the record.
    assert.equal((await as('staff')(url)).status, 200);
    assert.equal(await app.ds.getRepository(FaceTemplate).countBy({ studentId: ada }), 2);
    const res = await json(await as('staff')(url, { method: 'POST' }));
    assert.equal(res.body.notice.type, 'success', JSON.stringify(res.body.notice));
    assert.equal(await app.ds.getRepository(FaceTemplate).countBy({ studentId: ada }), 0);
    assert.equal((await app.ds.getRepository(Student).findOneByOrFail({ id: ada })).enrolledAt, null);
    const jobs = await app.queue.getJobs(['waiting', 'delayed', 'prioritized']);
    assert.ok(jobs.some((j) => j.name === 'gallery.templates-deleted' && j.data.studentId === ada), 'gallery job enqueued');
    const audit = await app.ds.getRepository(AuditLog).findOneByOrFail({ action: 'biometric.deleted' });
    assert.equal(audit.actorName, 'staff');
    assert.equal(audit.entityId, String(ada));
  });

  test('start detection with the engine down: a clear notice, nothing changed', async () => {
    const res = await json(await as('teacher')(`${app.url}/admin/api/resources/Camera/records/${fx.cameras.a.id}/startDetection`, { method: 'POST' }));
    assert.equal(res.body.notice.type, 'error');
    assert.match(res.body.notice.message, /not reachable/);
    assert.equal((await as('teacher')(`${app.url}/admin/api/resources/Camera/records/${fx.cameras.b.id}/startDetection`, { method: 'POST' })).status, 403, 'not their room');
  });
});

describe('accounts and sessions', () => {
  test('a wrong password is refused; guessing locks out that account only, not everyone at the address', async () => {
    const first = await loginCookie(app.url, 'staff', 'wrong-password');
    assert.equal(first.cookie, null);
    assert.notEqual(first.status, 302);
    // Five guesses on another name from this address (a school behind one NAT) do not lock staff out.
    for (let i = 0; i < 5; i++) await loginCookie(app.url, 'nobody', 'wrong-password');
    assert.equal((await loginCookie(app.url, 'nobody', 'wrong-password')).status, 429, 'the guessed name is paused');
    const before = await app.ds.getRepository(AuditLog).countBy({ action: 'auth.login', actorName: 'staff' });
    assert.equal((await loginCookie(app.url, 'staff', PASSWORD)).status, 302, 'another account at the same address still logs in');
    // Every attempt that reached the password check is audited once: the sixth guess on `nobody` did not.
    const failed = await app.ds.getRepository(AuditLog).findBy({ action: 'auth.login_failed' });
    assert.deepEqual(failed.map((f) => JSON.parse(f.details!).username).sort(), ['nobody', 'nobody', 'nobody', 'nobody', 'nobody', 'staff']);
    assert.equal(await app.ds.getRepository(AuditLog).countBy({ action: 'auth.login', actorName: 'staff' }), before + 1);
    // The window is 15 minutes; clear it so the rest of the file can log in.
    const keys = await app.redis.keys(`test-access-${process.pid}:login:*`);
    if (keys.length) await app.redis.del(...keys);
  });

  test('a session survives an admin-server restart', async () => {
    await app.restart();
    const res = await as('admin')(app.url + '/admin/api/resources/Student/actions/list');
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const anon = await fetch(app.url + '/admin/api/resources/Student/actions/list', { redirect: 'manual' });
    assert.equal(anon.status, 302, 'no cookie, no data');
  });

  test('a deactivated user is logged out at the next request', async () => {
    const r = await loginCookie(app.url, 'staff', PASSWORD);
    await app.ds.getRepository(User).update(fx.users.staff.id, { active: false });
    const res = await withCookie(r.cookie!)(app.url + '/admin/api/resources/Student/actions/list');
    assert.equal(res.status, 302);
    await app.ds.getRepository(User).update(fx.users.staff.id, { active: true });
  });

  test('engine tokens are short-lived and carry the session user', async () => {
    const { body } = await json(await as('teacher')(app.url + '/api/engine-token'));
    const claims = await verifyToken({ secret: app.config.JWT_SECRET, issuer: app.config.JWT_ISSUER }, body.token, 'engine');
    assert.equal(claims.username, 'teacher');
    assert.ok(claims.exp - Math.floor(Date.now() / 1000) <= 300);
    assert.equal((await fetch(app.url + '/api/engine-token')).status, 401);
  });

  test('users change their own password', async () => {
    const change = (current: string, next: string) => as('teacher')(app.url + '/api/me/password', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ current, next }) });
    assert.equal((await change('wrong', 'a-new-long-password')).status, 401);
    assert.equal((await change(PASSWORD, 'short')).status, 400);
    assert.equal((await change(PASSWORD, 'a-new-long-password')).status, 200);
    assert.equal((await loginCookie(app.url, 'teacher', 'a-new-long-password')).status, 302);
  });
});

describe('SIS API', () => {
  test('an admin creates a key (shown once); the key and admin-api tokens read students and attendance', async () => {
    assert.equal((await as('staff')(app.url + '/api/api-keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' })).status, 403);
    const created = await json(await as('admin')(app.url + '/api/api-keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'District SIS' }) }));
    assert.equal(created.status, 201);
    const key = created.body.key as string;
    const keys = await json(await as('admin')(app.url + '/admin/api/resources/ApiKey/actions/list'));
    assert.ok(!JSON.stringify(keys.body).includes(key) && !JSON.stringify(keys.body).includes('keyHash'), 'the key is never shown again');

    assert.equal((await fetch(app.url + '/api/v1/students')).status, 401);
    assert.equal((await fetch(app.url + '/api/v1/students', { headers: { 'x-api-key': 'fa_wrong' } })).status, 401);
    const students = await json(await fetch(`${app.url}/api/v1/students?classGroupId=${fx.groups.a.id}&perPage=2`, { headers: { 'x-api-key': key } }));
    assert.equal(students.body.total, 3);
    assert.equal(students.body.data.length, 2);
    const tok = await json(await fetch(app.url + '/api/v1/auth/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) }));
    const marks = await json(await fetch(`${app.url}/api/v1/attendance?from=${fx.day}&to=${fx.day}&status=late`, { headers: { authorization: `Bearer ${tok.body.access_token}` } }));
    assert.equal(marks.body.total, 1);
    assert.equal(marks.body.data[0].studentName, 'Ben Ørsted');
    assert.equal((await fetch(`${app.url}/api/v1/attendance?from=yesterday`, { headers: { 'x-api-key': key } })).status, 400);
    const spec = await json(await fetch(app.url + '/api/v1/openapi.json'));
    assert.equal(spec.body.openapi, '3.0.3');
    assert.ok(spec.body.paths['/attendance'] && spec.body.paths['/students']);
  });
});

describe('manual marks and user management through AdminJS', () => {
  const post = (role: string, path: string, fields: Record<string, string>) => as(role)(app.url + path, { method: 'POST', body: new URLSearchParams(fields) });

  test('staff mark by hand and correct a mark; both are audited; teachers cannot', async () => {
    const cy = fx.students[2];
    const created = await json(await post('staff', '/admin/api/resources/AttendanceLog/actions/new', { studentId: String(cy.id), day: fx.day, status: 'excused', note: 'doctor' }));
    assert.equal(created.body.notice.type, 'success', JSON.stringify(created.body));
    const id = created.body.record.id as string;
    assert.equal(created.body.record.params.source, 'manual');
    const dup = await json(await post('staff', '/admin/api/resources/AttendanceLog/actions/new', { studentId: String(cy.id), day: fx.day, status: 'present' }));
    assert.equal(dup.body.notice.type, 'error');
    assert.match(dup.body.notice.message, /already has a mark/);
    const fixed = await json(await post('staff', `/admin/api/resources/AttendanceLog/records/${id}/edit`, { status: 'present', note: 'arrived at 11' }));
    assert.equal(fixed.body.record.params.status, 'present');
    const audit = await app.ds.getRepository(AuditLog).find({ where: { entity: 'attendance', entityId: id }, order: { id: 'ASC' } });
    assert.deepEqual(audit.map((a) => a.action), ['attendance.marked', 'attendance.corrected']);
    assert.equal(JSON.parse(audit[1].details!).from, 'excused');
    assert.equal((await post('teacher', `/admin/api/resources/AttendanceLog/records/${id}/edit`, { status: 'absent' })).status, 403);
  });

  test('a teacher marks by hand their own students only (the path for students without consent)', async () => {
    const own = fx.students.find((s) => s.classGroupId === fx.groups.a.id && s.id !== fx.students[2].id)!;
    const other = fx.students.find((s) => s.classGroupId === fx.groups.b.id)!;
    const mine = await json(await post('teacher', '/admin/api/resources/AttendanceLog/actions/new', { studentId: String(own.id), day: '2026-01-05', status: 'present' }));
    assert.equal(mine.body.notice.type, 'success', JSON.stringify(mine.body.notice));
    const theirs = await json(await post('teacher', '/admin/api/resources/AttendanceLog/actions/new', { studentId: String(other.id), day: '2026-01-05', status: 'present' }));
    assert.equal(theirs.body.notice.type, 'error');
    assert.match(theirs.body.notice.message, /not in your class groups/);
    assert.equal(await app.ds.getRepository(AttendanceLog).countBy({ studentId: other.id, day: '2026-01-05' }), 0);
  });

  test('deleting a student is a soft delete: history stays, the list hides them, the deletion is audited', async () => {
    const dora = fx.students[3];
    const res = await json(await post('staff', `/admin/api/resources/Student/records/${dora.id}/delete`, {}));
    assert.equal(res.body.notice.type, 'success', JSON.stringify(res.body.notice));
    const row = await app.ds.getRepository(Student).findOneOrFail({ where: { id: dora.id }, withDeleted: true });
    assert.ok(row.deletedAt, 'deletedAt set');
    assert.equal(await app.ds.getRepository(AttendanceLog).countBy({ studentId: dora.id }), 1, 'attendance kept');
    const list = await json(await as('staff')(`${app.url}/admin/api/resources/Student/actions/list?filters.rollNumber=B-001`));
    assert.equal(list.body.meta.total, 0);
    assert.ok(await app.ds.getRepository(AuditLog).existsBy({ action: 'student.deleted', entityId: String(dora.id) }));
  });

  test('an admin creates a user with a hashed password and resets it; the change is audited', async () => {
    const made = await json(await post('admin', '/admin/api/resources/User/actions/new', { username: 'New.Teacher', displayName: 'New', role: 'teacher', active: 'true', newPassword: 'first-long-password' }));
    assert.ok(made.body.record?.id, JSON.stringify(made.body));
    assert.ok(!JSON.stringify(made.body).includes('argon2'), 'no hash in the answer');
    const user = await app.ds.getRepository(User).findOneByOrFail({ username: 'new.teacher' });
    assert.match(user.passwordHash, /^\$argon2id\$/);
    assert.equal((await loginCookie(app.url, 'new.teacher', 'first-long-password')).status, 302);
    await post('admin', `/admin/api/resources/User/records/${user.id}/edit`, { role: 'staff', newPassword: 'second-long-password' });
    assert.equal((await loginCookie(app.url, 'new.teacher', 'second-long-password')).status, 302);
    const entry = await app.ds.getRepository(AuditLog).findOneOrFail({ where: { action: 'user.updated', entityId: String(user.id) } });
    assert.deepEqual(JSON.parse(entry.details!).roleChanged, { from: 'teacher', to: 'staff' });
    assert.equal(JSON.parse(entry.details!).passwordReset, true);
    const self = await json(await post('admin', `/admin/api/resources/User/records/${fx.users.admin.id}/edit`, { active: 'false' }));
    assert.ok(self.body.record.errors?.role, `an admin cannot deactivate themself: ${JSON.stringify(self.body).slice(0, 600)}`);
    assert.ok(!JSON.stringify(self.body).includes('argon2'), 'no hash in the refusal');
  });
});
