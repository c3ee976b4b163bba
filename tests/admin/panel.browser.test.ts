import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { AttendanceLog, AuditLog, schoolDay, writeAudit } from '@attendance/shared';
import { parseCsv } from '../../admin-server/src/services/csv.js';
import { startAdminApp, type AdminUnderTest } from '../helpers/admin-app.js';
import { PASSWORD, seedFixture, type Fixture } from '../helpers/admin-fixtures.js';
import { artifactPath, launchChromium, localContext, loginAs } from '../helpers/browser.js';

let app: AdminUnderTest;
let fx: Fixture;
let browser: Browser;
let closeBrowser: () => Promise<void>;
const contexts: Record<string, BrowserContext> = {};

/** Marks over the last four weeks, so the dashboard's charts have something to draw. */
async function seedRecentMarks(): Promise<void> {
  const rows = [];
  for (let d = 27; d >= 0; d--) {
    const at = new Date(Date.now() - d * 86_400_000);
    if (d > 0 && [0, 6].includes(at.getUTCDay())) continue;
    const day = schoolDay(at, 'UTC');
    for (const [i, s] of fx.students.entries()) {
      if ((d * 7 + i * 3) % 5 === 0) continue; // a varying few are missing each day
      rows.push({ studentId: s.id, day, slot: 'day', status: (d + i) % 6 === 0 ? 'late' as const : 'present' as const, markedAt: at, source: 'camera' as const, confidence: 0.9 });
    }
  }
  await app.ds.getRepository(AttendanceLog).save(rows);
}

before(async () => {
  app = await startAdminApp('panel');
  fx = await seedFixture(app.ds);
  await seedRecentMarks();
  await writeAudit(app.ds, { action: 'fixture.seeded', actor: { id: null, name: 'test' } });
  ({ browser, close: closeBrowser } = await launchChromium());
  for (const role of ['admin', 'staff', 'teacher']) contexts[role] = await loginAs(browser, app.url, role, PASSWORD);
});
after(async () => { await closeBrowser?.(); await app?.stop(); });

describe('admin panel in Chromium', () => {
  test('a wrong password is refused on the login page', async () => {
    const context = await localContext(browser, app.url);
    const page = await context.newPage();
    await page.goto('/admin/login');
    await page.fill('input[name=email]', 'admin');
    await page.fill('input[name=password]', 'not-the-password');
    await page.press('input[name=password]', 'Enter');
    await page.waitForSelector('text=Wrong username or password');
    assert.match(new URL(page.url()).pathname, /\/admin\/login$/);
    await context.close();
  });

  test('the admin sees users and the audit log', async () => {
    const page = await contexts.admin.newPage();
    await page.goto('/admin/resources/User');
    await page.waitForSelector('text=teacher');
    assert.ok(await page.getByText('Administration').count() > 0, 'the administration menu');
    const res = await page.goto('/admin/resources/AuditLog');
    assert.equal(res?.status(), 200);
    await page.waitForSelector('text=fixture.seeded');
    await page.close();
  });

  test('the teacher sees only their class groups, and 403 on a user page', async () => {
    const page = await contexts.teacher.newPage();
    await page.goto('/admin/resources/ClassGroup');
    await page.waitForSelector('text=Class 7A');
    assert.equal(await page.locator('text=Class 8B').count(), 0);
    assert.equal(await page.locator('text=Administration').count(), 0, 'no administration menu for teachers');
    const res = await page.goto('/admin/resources/User/actions/list');
    assert.equal(res?.status(), 403);
    const api = await page.request.post(`/admin/api/resources/Student/records/${fx.students[0].id}/deleteBiometrics`);
    assert.equal(api.status(), 403);
    await page.close();
  });

  test('the student list shows enrolment status', async () => {
    const page = await contexts.staff.newPage();
    await page.goto('/admin/resources/Student');
    const row = page.locator('tr', { hasText: 'A-001' });
    await row.waitFor();
    const text = await row.innerText();
    assert.match(text, /straight, left/);
    assert.match(text, /\b2\b/);
    assert.match(await page.locator('tr', { hasText: 'A-003' }).innerText(), /not registered/);
    await page.screenshot({ path: artifactPath('students.png') });
    await page.close();
  });

  test('the report shows present, late and absent for a class group on a date', async () => {
    const page = await contexts.teacher.newPage();
    await page.goto(`/admin/pages/reports?group=${fx.groups.a.id}&from=${fx.day}&to=${fx.day}`);
    await page.click('[data-testid=show-report]');
    const report = page.locator('[data-testid=report]');
    await report.waitFor();
    const status = async (i: number) => page.locator(`tr[data-student-id="${fx.students[i].id}"] td:last-child [data-status]`).getAttribute('data-status');
    assert.equal(await status(0), 'present');
    assert.equal(await status(1), 'late');
    assert.equal(await status(2), 'absent');
    assert.match(await page.locator('[data-testid=report-totals]').innerText(), /Present 1 · Late 1 · Absent 1/);
    await page.screenshot({ path: artifactPath('attendance-report.png'), fullPage: true });
    await page.close();
  });

  test('the CSV export downloads and parses back to the same rows', async () => {
    const page = await contexts.staff.newPage();
    await page.goto(`/admin/pages/reports?group=${fx.groups.a.id}&from=${fx.day}&to=${fx.day}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-link]')]);
    const file = artifactPath('export.csv');
    await download.saveAs(file);
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text.startsWith('\uFEFF'), 'UTF-8 BOM');
    const [header, ...rows] = parseCsv(text);
    assert.equal(header[0], 'day');
    const expected = (await app.ds.getRepository(AttendanceLog).find({ where: { day: fx.day }, relations: { student: true }, order: { markedAt: 'DESC' } }))
      .filter((m) => m.student!.classGroupId === fx.groups.a.id);
    assert.deepEqual(rows.map((r) => [r[0], r[1], r[2], r[5], r[10]]),
      expected.map((m) => [m.day, m.markedAt.toISOString(), m.student!.name, m.status, m.note ?? '']));
    assert.equal(rows[1][10], 'line1\nline2, with comma', 'a note with a comma and a line break survives');
    assert.ok(await app.ds.getRepository(AuditLog).existsBy({ action: 'attendance.exported', actorName: 'staff' }), 'the export is audited');
    await page.close();
  });

  test('the attendance log filters by class and status, and its CSV export follows the filters', async () => {
    const page = await contexts.staff.newPage();
    const filters = `filters.classGroupId=${fx.groups.a.id}&filters.status=late`;
    await page.goto(`/admin/resources/AttendanceLog?${filters}`);
    await page.waitForSelector('tbody tr');
    const expected = (await app.ds.getRepository(AttendanceLog).find({ where: { status: 'late' }, relations: { student: true } }))
      .filter((m) => m.student!.classGroupId === fx.groups.a.id);
    assert.ok(expected.length > 1);
    assert.equal(await page.locator('tbody tr').count(), Math.min(expected.length, 10));
    await page.screenshot({ path: artifactPath('attendance-log.png') });
    await page.click('text=Export CSV');
    await page.waitForSelector('[data-testid=download-csv]');
    assert.match(String(await page.getAttribute('[data-testid=download-csv]', 'href')), /status=late/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-csv]')]);
    const [, ...rows] = parseCsv(fs.readFileSync(await download.path(), 'utf8'));
    assert.equal(rows.length, expected.length);
    assert.ok(rows.every((r) => r[5] === 'late' && r[4] === 'Class 7A'));
    await page.close();
  });

  test('every user changes their own password on My account', async () => {
    const page = await contexts.teacher.newPage();
    await page.goto('/admin/pages/account');
    await page.fill('input[name=current]', PASSWORD);
    await page.fill('input[name=next]', 'teacher-new-password');
    await page.fill('input[name=again]', 'teacher-new-pasword');
    await page.click('button:has-text("Change password")');
    assert.match(await page.locator('[data-testid=password-result]').innerText(), /differ/, 'a mistyped confirmation changes nothing');
    await page.fill('input[name=again]', 'teacher-new-password');
    await page.click('button:has-text("Change password")');
    // The earlier message stays until the server answers: wait for the new one.
    await page.locator('[data-testid=password-result]', { hasText: 'Password changed.' }).waitFor();
    await page.close();
  });

  test('an admin creates an SIS API key and sees it once', async () => {
    const page = await contexts.admin.newPage();
    await page.goto('/admin/resources/ApiKey/actions/createKey');
    await page.fill('[data-testid=key-name]', 'Demo SIS');
    await page.selectOption('[data-testid=key-scope]', 'sis');
    await page.click('button:has-text("Create key")');
    const key = await page.locator('[data-testid=new-key]').innerText();
    assert.match(key, /^fa_/);
    const res = await fetch(`${app.url}/api/v1/students`, { headers: { 'x-api-key': key } });
    assert.equal(res.status, 200);
    await page.goto('/admin/resources/ApiKey');
    await page.waitForSelector('text=Demo SIS');
    assert.equal(await page.getByText(key).count(), 0, 'not shown again');
    await page.close();
  });

  test('enrol from photos with the engine down says so clearly', async () => {
    const page = await contexts.staff.newPage();
    await page.goto(`/admin/resources/Student/records/${fx.students[1].id}/enrollPhotos`);
    await page.setInputFiles('[data-testid=enroll-files]', [{ name: 'a.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not really a photo') }]);
    await page.click('button:has-text("Enroll 1 photo")');
    assert.match(await page.locator('[data-testid=enroll-error]').innerText(), /not reachable/);
    await page.close();
  });

  test("a student's history lists their marks", async () => {
    const page = await contexts.teacher.newPage();
    await page.goto(`/admin/pages/reports?group=${fx.groups.a.id}&from=${fx.day}&to=${fx.day}`);
    await page.selectOption('[data-testid=history-student]', String(fx.students[1].id));
    await page.click('button:has-text("Show history")');
    const history = page.locator('[data-testid=history]');
    await history.waitFor();
    assert.match(await history.innerText(), /session:\d+\s+late/);
    await page.close();
  });

  test('the dashboard renders its charts', async () => {
    const page = await contexts.admin.newPage();
    await page.goto('/admin');
    await page.waitForSelector('[data-testid=chart-rate] rect');
    assert.ok(await page.locator('[data-testid=chart-rate] rect').count() >= 15, 'a bar per school day');
    assert.ok(await page.locator('[data-testid=chart-groups] rect').count() >= 2);
    assert.match(await page.locator('[data-testid=cameras]').innerText(), /Room 101.*running/s);
    assert.ok(await page.locator('[data-testid=recent] tr').count() > 0);
    await page.screenshot({ path: artifactPath('dashboard.png'), fullPage: true });
    await page.close();
  });

  test('staff delete biometric data from the confirm screen', async () => {
    const page = await contexts.staff.newPage();
    await page.goto(`/admin/resources/Student/records/${fx.students[0].id}/deleteBiometrics`);
    await page.click('[data-testid=confirm-action]');
    await page.waitForSelector('[data-testid=action-result]');
    assert.match(await page.locator('[data-testid=action-result]').innerText(), /Deleted 2 face template/);
    await page.close();
  });
});
