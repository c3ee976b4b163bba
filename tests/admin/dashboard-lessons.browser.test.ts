// The dashboard's "today by class group" in real Chromium against the real admin app (SQLite file, Redis): a class
// the timetable gives no lesson today says "no lessons today" instead of 0/N; a class with a lesson keeps its bar.
import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { ClassSession } from '@attendance/shared';
import { startAdminApp, type AdminUnderTest } from '../helpers/admin-app.js';
import { PASSWORD, seedFixture, type Fixture } from '../helpers/admin-fixtures.js';
import { launchChromium, loginAs } from '../helpers/browser.js';

const TUESDAY = '2026-11-24';
let app: AdminUnderTest;
let fx: Fixture;
let browser: Browser;
let closeBrowser: () => Promise<void>;

before(async () => {
  app = await startAdminApp('dashboard-lessons', { clock: () => new Date(`${TUESDAY}T10:00:00Z`) });
  fx = await seedFixture(app.ds); // both classes have Monday lessons only
  await app.ds.getRepository(ClassSession).save({ classGroupId: fx.groups.a.id, weekday: 2, startTime: '09:00', endTime: '10:00', lateAfterMinutes: 10, subject: 'Maths' });
  ({ browser, close: closeBrowser } = await launchChromium());
});
after(async () => { await closeBrowser?.(); await app?.stop(); });

test('a class with no lesson today says so; a class with one keeps its bar', async () => {
  const context = await loginAs(browser, app.url, 'admin', PASSWORD);
  const page = await context.newPage();
  await page.goto('/admin');
  const chart = page.locator('[data-testid=chart-groups]');
  await chart.waitFor();
  const none = chart.locator('[data-testid=no-lessons]');
  assert.equal(await none.count(), 1, 'one class has no lesson today');
  assert.match(await none.textContent() ?? '', /Class 8B.*no lessons today/s);
  assert.doesNotMatch(await chart.textContent() ?? '', /0\/1/, 'Class 8B is not shown as 0 of 1');
  assert.match(await chart.textContent() ?? '', /Class 7A.*0\/3/s, 'Class 7A has a lesson: its bar and count stay');
  await context.close();
});
