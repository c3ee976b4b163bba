// The lesson register in real Chromium against the real admin app (SQLite file, Redis), on a phone:
// a teacher takes a 30-student register from login with the cameras' marks already there.
import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { AttendanceLog, AuditLog, Camera, ClassGroup, ClassSession, LessonRegister, Student } from '@attendance/shared';
import { AttendanceService } from '../../ai-engine/src/attendance/attendance.service.js';
import { Metrics } from '../../ai-engine/src/observability/metrics.js';
import { Publisher } from '../../ai-engine/src/transport/ws/publisher.js';
import { startAdminApp, type AdminUnderTest } from '../helpers/admin-app.js';
import { PASSWORD, seedFixture, type Fixture } from '../helpers/admin-fixtures.js';
import { loginCookie, withCookie } from '../helpers/admin-http.js';
import { artifactPath, launchChromium, localContext } from '../helpers/browser.js';

const DAY = '2026-11-23'; // a Monday; the app's clock says 09:30 that day (school time zone UTC)
const MAX_CLICKS = 40;
let app: AdminUnderTest;
let fx: Fixture;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let lesson: ClassSession;
let students: Student[];
const seenByCamera: number[] = [];

before(async () => {
  app = await startAdminApp('register', { clock: () => new Date(`${DAY}T09:30:00Z`) });
  fx = await seedFixture(app.ds);
  const group = await app.ds.getRepository(ClassGroup).save({ name: 'Class 9C', teacherId: fx.users.teacher.id });
  const camera = await app.ds.getRepository(Camera).save({ name: 'Room 9', source: 'usb:0', room: '9', enabled: false });
  lesson = await app.ds.getRepository(ClassSession).save({ classGroupId: group.id, cameraId: camera.id, weekday: 1, startTime: '09:00', endTime: '10:00', lateAfterMinutes: 10, subject: 'Biology' });
  students = await app.ds.getRepository(Student).save(Array.from({ length: 30 }, (_, i) => ({
    name: `Pupil ${String(i + 1).padStart(2, '0')}`, rollNumber: `C-${String(i + 1).padStart(3, '0')}`, classGroupId: group.id, active: true,
  })));
  // The engine's own marking rules (ai-engine AttendanceService) on the same database, as a camera in the room would.
  let at = new Date(`${DAY}T09:03:00Z`);
  const engine = new AttendanceService(app.ds, 'UTC', new Publisher(), new Metrics(), () => at);
  for (const [i, s] of students.slice(0, 12).entries()) {
    if (i === 10) at = new Date(`${DAY}T09:21:00Z`); // two come late
    const r = await engine.mark({ studentId: s.id, confidence: 0.9, source: i === 11 ? 'laptop' : 'camera', cameraId: camera.id });
    assert.ok(r.marked, JSON.stringify(r));
    seenByCamera.push(s.id);
  }
  ({ browser, close: closeBrowser } = await launchChromium());
});
after(async () => { await closeBrowser?.(); await app?.stop(); });

describe('the lesson register in Chromium', () => {
  test('a teacher takes a 30-student register on a phone in under 40 clicks from login, camera marks pre-filled', async () => {
    const context = await localContext(browser, app.url);
    const page: Page = await context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    let clicks = 0;
    const click = async (selector: string) => { clicks++; await page.click(selector); };

    await page.goto('/admin/login', { timeout: 120_000 });
    await page.fill('input[name=email]', 'teacher');
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForURL((u) => !u.pathname.endsWith('/login')), click('form button')]);
    // The dashboard lists today's lessons; one tap opens the register.
    await page.waitForSelector('[data-testid=my-lessons]', { timeout: 120_000 });
    await click(`[data-testid=my-lessons] [data-testid=lesson-${lesson.id}]`);
    await page.waitForSelector('[data-testid=roster]');

    // Pre-filled: the camera's and the laptop's marks, with how and when.
    for (const [i, id] of seenByCamera.entries()) {
      const row = page.getByTestId(`student-${id}`);
      assert.equal(await row.getAttribute('data-status'), i >= 10 ? 'late' : 'present', `student ${i + 1}`);
      assert.match(await row.innerText(), i === 11 ? /seen by laptop camera at \d\d:\d\d/ : /seen by camera at \d\d:\d\d \(Room 9, 90%\)/);
    }
    assert.match(await page.getByTestId('register-counts').innerText(), /10 present · 2 late · 0 absent · 0 excused · 18 not marked/);

    // The rest by hand: 13 present, 1 late, 1 excused for illness; the last 3 absent in one tap.
    const rest = students.slice(12);
    for (const s of rest.slice(0, 13)) {
      await click(`[data-testid=student-${s.id}] [data-mark=present]`);
      await page.waitForSelector(`[data-testid=student-${s.id}][data-status=present]`);
    }
    await click(`[data-testid=student-${rest[13].id}] [data-mark=late]`);
    await page.waitForSelector(`[data-testid=student-${rest[13].id}][data-status=late]`);
    await click(`[data-testid=student-${rest[14].id}] [data-mark=absent]`);
    await page.selectOption(`[data-testid=reason-${rest[14].id}]`, 'illness'); clicks++;
    await page.waitForSelector(`[data-testid=student-${rest[14].id}][data-status=excused]`);
    await click('[data-testid=remaining-absent]');
    await page.waitForSelector('text=0 not marked');
    await click('[data-testid=confirm]');
    await click('[data-testid=confirm-yes]');
    await page.waitForSelector('text=/confirmed at/');
    await page.screenshot({ path: artifactPath('register-phone.png'), fullPage: true });
    assert.ok(clicks < MAX_CLICKS, `${clicks} clicks`);
    console.log(`# register: 30 students, ${clicks} clicks from login (phone, 390 px)`);

    // Locked: the buttons are disabled, and the server refuses a change.
    assert.equal(await page.locator(`[data-testid=student-${rest[0].id}] [data-mark=absent]`).isDisabled(), true);
    const late = await page.request.post(`/api/register/${lesson.id}/${DAY}/students/${rest[0].id}`, { data: { status: 'absent' } });
    assert.equal(late.status(), 409);

    // Tablet width: nothing runs off the side.
    await page.setViewportSize({ width: 820, height: 1180 });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no horizontal scrolling on a tablet');
    await context.close();

    // The stored register: one mark per student for this lesson, camera marks kept as the camera wrote them.
    const marks = await app.ds.getRepository(AttendanceLog).findBy({ day: DAY, slot: `session:${lesson.id}` });
    assert.equal(marks.length, 30);
    const by = new Map(marks.map((m) => [m.studentId, m]));
    for (const id of seenByCamera.slice(0, 11)) assert.equal(by.get(id)!.source, 'camera');
    assert.equal(by.get(seenByCamera[11])!.source, 'laptop');
    const counts = (st: string) => marks.filter((m) => m.status === st).length;
    assert.deepEqual([counts('present'), counts('late'), counts('absent'), counts('excused')], [23, 3, 3, 1]);
    assert.equal(by.get(rest[14].id)!.reasonCode, 'illness');
    const register = await app.ds.getRepository(LessonRegister).findOneByOrFail({ classSessionId: lesson.id, day: DAY });
    assert.ok(register.confirmedAt);
    assert.equal(register.confirmedById, fx.users.teacher.id);
    assert.equal(await app.ds.getRepository(AuditLog).countBy({ action: 'register.confirmed', entityId: String(lesson.id) }), 1);
  });

  test('a camera mark after the register is confirmed cannot contradict it; staff reopen it (audited), the teacher cannot', async () => {
    const engine = new AttendanceService(app.ds, 'UTC', new Publisher(), new Metrics(), () => new Date(`${DAY}T09:40:00Z`));
    const absent = (await app.ds.getRepository(AttendanceLog).findOneByOrFail({ day: DAY, slot: `session:${lesson.id}`, status: 'absent' }));
    assert.deepEqual(await engine.mark({ studentId: absent.studentId, confidence: 0.95, source: 'camera', cameraId: lesson.cameraId }), { marked: false, reason: 'already_marked' });
    const teacher = withCookie((await loginCookie(app.url, 'teacher', PASSWORD)).cookie!);
    const staff = withCookie((await loginCookie(app.url, 'staff', PASSWORD)).cookie!);
    const reopen = (as: typeof teacher) => as(`${app.url}/api/register/${lesson.id}/${DAY}/reopen`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'came in late with a note' }) });
    assert.equal((await reopen(teacher)).status, 403);
    assert.equal((await reopen(staff)).status, 200);
    assert.equal(await app.ds.getRepository(AuditLog).countBy({ action: 'register.reopened', entityId: String(lesson.id) }), 1);
    // Open again: the teacher corrects the mark; the correction is audited with what it was.
    const fix = await teacher(`${app.url}/api/register/${lesson.id}/${DAY}/students/${absent.studentId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'late' }) });
    assert.equal(fix.status, 200);
    assert.equal((await app.ds.getRepository(AttendanceLog).findOneByOrFail({ id: absent.id })).status, 'late');
    // Another class's lesson is out of reach, and bad input is a 4xx with a message.
    const other = await teacher(`${app.url}/api/register/${fx.sessions[1].id}/${DAY}`);
    assert.equal(other.status, 403);
    const bad = await teacher(`${app.url}/api/register/${lesson.id}/${DAY}/students/${absent.studentId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'gone' }) });
    assert.equal(bad.status, 400);
    const future = await teacher(`${app.url}/api/register/${lesson.id}/2026-11-30/remaining-absent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(future.status, 400);
  });
});
