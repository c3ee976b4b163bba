// Consent in the admin panel: recorded with who gave it; withdrawal erases the templates at once,
// tells the engines, and is audited exactly once.
import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AuditLog, Consent, FaceTemplate, Student } from '@attendance/shared';
import { startAdminApp, type AdminUnderTest } from '../helpers/admin-app.js';
import { PASSWORD, seedFixture, type Fixture } from '../helpers/admin-fixtures.js';
import { loginCookie, withCookie } from '../helpers/admin-http.js';

let app: AdminUnderTest;
let fx: Fixture;
let staff: ReturnType<typeof withCookie>;
let teacher: ReturnType<typeof withCookie>;

before(async () => {
  app = await startAdminApp('consent');
  fx = await seedFixture(app.ds);
  staff = withCookie((await loginCookie(app.url, 'staff', PASSWORD)).cookie!);
  teacher = withCookie((await loginCookie(app.url, 'teacher', PASSWORD)).cookie!);
});
after(() => app.stop());

const action = (id: number, name: string) => `${app.url}/admin/api/resources/Student/records/${id}/${name}`;
const post = (as: typeof staff, url: string, data: object = {}) =>
  as(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(data) }).then(async (r) => ({ status: r.status, body: await r.json() as any }));

test('consent is recorded with who gave it, and incomplete consent is refused', async () => {
  const student = await app.ds.getRepository(Student).save({ name: 'New Pupil', rollNumber: 'C-1', active: true, classGroupId: fx.groups.a.id });
  const incomplete = await post(staff, action(student.id, 'recordConsent'), { givenBy: 'Mary Pupil', method: 'paper' });
  assert.equal(incomplete.body.notice.type, 'error');
  assert.equal((await app.ds.getRepository(Student).findOneByOrFail({ id: student.id })).consentAt, null);
  const ok = await post(staff, action(student.id, 'recordConsent'), { givenBy: 'Mary Pupil', relationship: 'mother', method: 'paper', policyVersion: '2026-09' });
  assert.equal(ok.body.notice.type, 'success', JSON.stringify(ok.body.notice));
  const consent = await app.ds.getRepository(Consent).findOneByOrFail({ studentId: student.id });
  assert.deepEqual([consent.givenBy, consent.relationship, consent.method, consent.policyVersion, consent.withdrawnAt], ['Mary Pupil', 'mother', 'paper', '2026-09', null]);
  assert.ok((await app.ds.getRepository(Student).findOneByOrFail({ id: student.id })).consentAt);
  assert.equal(await app.ds.getRepository(AuditLog).countBy({ action: 'consent.recorded', entityId: String(student.id) }), 1);
});

test('withdrawing consent erases the templates at once, queues the gallery job, and is audited once; teachers may not', async () => {
  const ada = fx.students[0].id;
  await app.ds.getRepository(Student).update(ada, { consentAt: new Date() });
  assert.equal((await post(teacher, action(ada, 'withdrawConsent'))).status, 403);
  assert.equal(await app.ds.getRepository(FaceTemplate).countBy({ studentId: ada }), 2);

  const res = await post(staff, action(ada, 'withdrawConsent'));
  assert.equal(res.body.notice.type, 'success', JSON.stringify(res.body.notice));
  assert.equal(await app.ds.getRepository(FaceTemplate).countBy({ studentId: ada }), 0);
  const student = await app.ds.getRepository(Student).findOneByOrFail({ id: ada });
  assert.deepEqual([student.consentAt, student.enrolledAt], [null, null]);
  const jobs = await app.queue.getJobs(['waiting', 'delayed', 'prioritized']);
  assert.ok(jobs.some((j) => j.name === 'gallery.templates-deleted' && j.data.studentId === ada));
  assert.equal(await app.ds.getRepository(AuditLog).countBy({ action: 'consent.withdrawn', entityId: String(ada) }), 1);
  // Nothing left to withdraw: a second click is refused, not audited again.
  assert.equal((await post(staff, action(ada, 'withdrawConsent'))).body.notice.type, 'error');
  assert.equal(await app.ds.getRepository(AuditLog).countBy({ action: 'consent.withdrawn', entityId: String(ada) }), 1);
});

test('a student data export holds the record, consents, attendance and audit entries, never template vectors, and is audited', async () => {
  const student = fx.students[1];
  await app.ds.getRepository(Student).update(student.id, { consentAt: new Date() });
  const teacherRes = await teacher(`${app.url}/api/students/${student.id}/export.json`);
  assert.equal(teacherRes.status, 403);
  const res = await staff(`${app.url}/api/students/${student.id}/export.json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="student-\d+-/);
  const text = await res.text();
  const body = JSON.parse(text);
  assert.equal(body.student.rollNumber, student.rollNumber);
  assert.ok(Array.isArray(body.consents) && Array.isArray(body.attendance) && Array.isArray(body.audit));
  assert.equal(typeof body.biometric.templates, 'number');
  assert.ok(!/ciphertext|embedding/i.test(text), 'no template bytes or vectors');
  assert.equal(await app.ds.getRepository(AuditLog).countBy({ action: 'student.data_exported', entityId: String(student.id) }), 1);
});

test('the retention policy is shown to every role; its dry run only to admin and staff', async () => {
  const policy = await teacher(`${app.url}/api/retention/policy`).then((r) => r.json()) as { policy: string[] };
  assert.match(policy.policy.join(' '), /erased \d+ days after they left/);
  assert.equal((await teacher(`${app.url}/api/retention/preview`)).status, 403);
  const preview = await staff(`${app.url}/api/retention/preview`);
  assert.equal(preview.status, 200);
  const report = await preview.json() as { dryRun: boolean; attendanceCutoff: string };
  assert.equal(report.dryRun, true);
  assert.match(report.attendanceCutoff, /^\d{4}-\d{2}-01$/);
});
