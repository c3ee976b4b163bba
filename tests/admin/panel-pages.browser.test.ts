// The panel pages of issue #17's leftovers and #16, in real Chromium: staff choose a class group's teacher by
// name, the audit log reads as sentences, the dashboard shows excused absences, and the roster import and
// week-grid timetable pages work at 1280 and 390 px with everything on screen.
import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { AttendanceLog, ClassGroup, ClassSession, User, schoolDay } from '@attendance/shared';
import type { AdminUnderTest } from '../helpers/admin-app.js';
import type { Fixture } from '../helpers/admin-fixtures.js';
import { artifactPath } from '../helpers/browser.js';
import { WIDTHS, assertAllInView } from '../helpers/layout.js';
import { startPanel, type PanelUnderTest } from '../helpers/panel.js';

const ONEROSTER = path.resolve(import.meta.dirname, '../fixtures/oneroster');
const PAGE_WIDTHS = WIDTHS.filter((w) => w.width === 1280 || w.width === 390);

let panel: PanelUnderTest;
let app: AdminUnderTest;
let fx: Fixture;

before(async () => {
  panel = await startPanel('panel-pages', ['admin', 'staff', 'teacher'], async (a, f) => {
    await a.ds.getRepository(User).update(f.users.staff.id, { displayName: 'Sam Staff' });
    await a.ds.getRepository(User).save({ username: 'alopez', displayName: 'Ana López', role: 'teacher', active: true, passwordHash: f.users.teacher.passwordHash });
  });
  ({ app, fx } = panel);
});
after(async () => panel?.stop());

const withPage = (role: string, fn: (page: Page) => Promise<void>): Promise<void> => panel.withPage(role, fn);

describe('panel pages', () => {
  test('the sidebar lists Import roster for an administrator only (the page and its route are admin-only)', async () => {
    for (const [role, listed] of [['admin', 1], ['staff', 0], ['teacher', 0]] as const) {
      await withPage(role, async (page) => {
        await page.setViewportSize({ width: 1280, height: 800 });
        await page.goto('/admin');
        await page.getByText('Timetable (week)', { exact: true }).first().waitFor();
        assert.equal(await page.getByText('Import roster', { exact: true }).count(), listed, role);
        assert.equal(await page.getByText('My account', { exact: true }).count(), 1, `${role} keeps the other pages`);
      });
    }
  });

  test('staff choose a class group\'s teacher from the teachers\' names, and the class group shows the name', async () => {
    await withPage('staff', async (page) => {
      await page.goto(`/admin/resources/ClassGroup/records/${fx.groups.b.id}/edit`);
      const picker = page.getByTestId('teacher-picker');
      await picker.locator('option', { hasText: 'Ana López (alopez)' }).waitFor({ state: 'attached' });
      assert.deepEqual(await picker.locator('option').allInnerTexts(), ['No teacher', 'Ana López (alopez)', 'teacher (teacher)'], 'teachers only, by name');
      await picker.selectOption({ label: 'Ana López (alopez)' });
      await page.click('[data-testid=button-save]');
      // Saved: the list names the teacher, and so does the class group's page.
      await page.locator('tbody tr', { hasText: 'Class 8B' }).getByTestId('teacher-name').filter({ hasText: 'Ana López (alopez)' }).waitFor();
      await page.goto(`/admin/resources/ClassGroup/records/${fx.groups.b.id}/show`);
      await page.getByTestId('teacher-name').filter({ hasText: 'Ana López (alopez)' }).waitFor();
    });
    assert.equal((await app.ds.getRepository(ClassGroup).findOneByOrFail({ id: fx.groups.b.id })).teacherId,
      (await app.ds.getRepository(User).findOneByOrFail({ username: 'alopez' })).id);
  });

  test('the audit log says what happened in a sentence, with the raw entry a click away', async () => {
    const dora = fx.students[3];
    await withPage('staff', async (page) => {
      const res = await page.request.post(`/admin/api/resources/Student/records/${dora.id}/delete`);
      assert.equal(res.status(), 200);
    });
    await withPage('admin', async (page) => {
      await page.goto('/admin/resources/AuditLog');
      const row = page.locator('tbody tr', { hasText: 'deleted student' }).first();
      await row.waitFor();
      assert.match(await row.innerText(), /Sam Staff \(staff\) deleted student Dora Other \(Class 8B\)/);
      await row.getByTestId('audit-raw').locator('summary').click();
      assert.match(await row.getByTestId('audit-raw').locator('pre').innerText(), /action: student\.deleted\nrecord: student #\d+/);
      for (const w of PAGE_WIDTHS) {
        await page.setViewportSize({ width: w.width, height: w.height });
        await assertAllInView(page, `audit log at ${w.width} px`);
        await page.screenshot({ path: artifactPath(`audit-log-${w.width}.png`), fullPage: true });
      }
    });
  });

  test('the dashboard gives excused absences their own colour, legend entry and number', async () => {
    const today = schoolDay(new Date(), 'UTC');
    await app.ds.getRepository(AttendanceLog).save({ studentId: fx.students[2].id, day: today, slot: 'day', status: 'excused', markedAt: new Date(), source: 'manual' });
    await withPage('admin', async (page) => {
      await page.goto('/admin');
      await page.locator('[data-testid=legend] [data-legend=excused]').waitFor();
      const segment = page.locator('[data-testid=chart-groups] [data-segment=excused] rect').first();
      assert.equal(await segment.getAttribute('fill'), '#7a5af8');
      assert.ok(Number(await segment.getAttribute('width')) > 0, 'Class 7A has an excused segment');
      assert.equal(await segment.locator('title').textContent(), 'Class 7A: 1 excused');
    });
  });

  test('roster import page: a dry run lists the changes, Apply saves them, a broken row blocks Apply (1280 and 390 px)', async () => {
    const fixtureFiles = fs.readdirSync(ONEROSTER).filter((f) => f.endsWith('.csv')).map((f) => path.join(ONEROSTER, f));
    const broken = path.join(process.env.TEST_TMP_DIR!, 'broken-roster');
    fs.mkdirSync(broken, { recursive: true });
    for (const f of fixtureFiles) fs.copyFileSync(f, path.join(broken, path.basename(f)));
    fs.appendFileSync(path.join(broken, 'timetable.csv'), 'tt-9,c-7a,3,3pm,4pm,Art,,10\r\n');
    await withPage('admin', async (page) => {
      for (const w of PAGE_WIDTHS) {
        await page.setViewportSize({ width: w.width, height: w.height });
        await page.goto('/admin/pages/import');
        if (w.width === 1280) {
          await page.getByTestId('import-files').setInputFiles(fixtureFiles);
          await page.getByTestId('import-chosen').waitFor();
          await page.getByTestId('import-dry-run').click();
          await page.getByTestId('import-changes').waitFor();
          assert.match(await page.getByTestId('import-summary').innerText(), /Dry run \(OneRoster\): 14 changes, 0 unchanged/);
          assert.equal(await app.ds.getRepository(ClassGroup).countBy({ name: '7A' }), 0, 'a dry run writes nothing');
          await assertAllInView(page, `import dry run at ${w.width} px`);
          await page.screenshot({ path: artifactPath(`import-${w.width}.png`), fullPage: true });
          await page.getByTestId('import-apply').click();
          await page.getByTestId('import-summary').filter({ hasText: 'Applied: 14 changes saved' }).waitFor();
          assert.equal(await app.ds.getRepository(ClassGroup).countBy({ name: '7A' }), 1);
        } else {
          // A folder, as a school's export comes: the broken row is listed with its file and line, and Apply stays off.
          await page.getByTestId('import-folder').setInputFiles(broken);
          await page.getByTestId('import-chosen').waitFor();
          await page.getByTestId('import-dry-run').click();
          await page.getByTestId('import-errors').waitFor();
          assert.match(await page.getByTestId('import-errors').innerText(), /timetable\.csv\s+6\s+.*"3pm" is not a 24-hour time/s);
          assert.ok(await page.getByTestId('import-apply').isDisabled(), 'no Apply while a row is refused');
          await assertAllInView(page, `import errors at ${w.width} px`);
          await page.screenshot({ path: artifactPath(`import-${w.width}.png`), fullPage: true });
        }
      }
    });
  });

  test('the timetable list shows each lesson\'s room, and filters by it', async () => {
    const lesson = fx.sessions[0];
    await app.ds.getRepository(ClassSession).update(lesson.id, { room: 'Lab 2' });
    await withPage('staff', async (page) => {
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto('/admin/resources/ClassSession?filters.room=Lab%202');
      const cells = page.locator('td[data-property-name="room"]');
      await cells.first().waitFor();
      assert.deepEqual(await cells.allInnerTexts(), ['Lab 2'], 'the one lesson in Lab 2');
    });
    await app.ds.getRepository(ClassSession).update(lesson.id, { room: null });
  });

  test('week-grid timetable: a lesson repeated Mon–Fri, the timetable checks shown under the fields, nothing half-saved (1280 and 390 px)', async () => {
    const group = fx.groups.b;
    const art = () => app.ds.getRepository(ClassSession).countBy({ classGroupId: group.id, subject: 'Art' });
    await withPage('staff', async (page) => {
      page.on('dialog', (d) => { void d.accept(); });
      for (const w of PAGE_WIDTHS) {
        await page.setViewportSize({ width: w.width, height: w.height });
        await page.goto(`/admin/pages/timetable?group=${group.id}`);
        await page.getByTestId('timetable-add').waitFor();
        if (w.width === 1280) {
          await page.getByTestId('timetable-grid').locator('tr[data-time="09:00–10:00"] td[data-weekday="1"]', { hasText: 'History' }).waitFor();
          const add = async (start: string, end: string) => {
            await page.fill('[name=subject]', 'Art');
            await page.fill('[name=startTime]', start);
            await page.fill('[name=endTime]', end);
            await page.getByTestId('timetable-save').click();
            await page.getByTestId('timetable-message').waitFor();
          };
          assert.ok(await page.getByTestId('repeat-school-week').isChecked(), 'Mon–Fri is the default');
          await add('3pm', '10:00');
          await page.getByTestId('error-startTime').first().filter({ hasText: '"3pm" is not a 24-hour time' }).waitFor();
          await add('11:00', '10:00');
          await page.getByTestId('error-endTime').first().filter({ hasText: 'ends (10:00) before or when it starts (11:00)' }).waitFor();
          // Monday's History lesson is 09:00–10:00: Monday is refused, so no day is saved.
          await add('09:30', '10:30');
          await page.getByTestId('error-startTime').filter({ hasText: /^Monday: It overlaps the lesson 09:00–10:00 of the same class/ }).waitFor();
          assert.equal(await art(), 0, 'nothing half-saved');
          await add('11:00', '11:45');
          await page.getByTestId('timetable-message').filter({ hasText: 'Added on Mon, Tue, Wed, Thu, Fri' }).waitFor();
          assert.equal(await art(), 5);
          const row = page.getByTestId('timetable-grid').locator('tr[data-time="11:00–11:45"]');
          // The grid reloads after the message shows: wait for it before counting its cells.
          await row.locator('td[data-weekday="5"]', { hasText: 'Art' }).waitFor();
          assert.equal(await row.locator('td[data-weekday]', { hasText: 'Art' }).count(), 5, 'one Art per weekday column');
        } else {
          // A phone gets the week as a list of days, each lesson with its time and a remove button in reach.
          const friday = page.getByTestId('timetable-days').locator('[data-weekday="5"]');
          await friday.getByText('11:00–11:45').waitFor();
          await friday.getByRole('button', { name: /Remove Art on Fri/ }).click();
          await page.getByTestId('timetable-message').filter({ hasText: 'Lesson removed.' }).waitFor();
          assert.equal(await art(), 4);
        }
        await assertAllInView(page, `timetable at ${w.width} px`);
        await page.screenshot({ path: artifactPath(`timetable-${w.width}.png`), fullPage: true });
      }
    });
  });
});
