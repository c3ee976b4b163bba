// The panel as staff see it at 1440, 1280 and 390 px: every action of the student, camera and report pages
// on screen, no table column cut off, titles that name the record; a screenshot of each page at each width.
import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Camera, Student } from '@attendance/shared';
import { startAdminApp, type AdminUnderTest } from '../helpers/admin-app.js';
import { PASSWORD, seedFixture, type Fixture } from '../helpers/admin-fixtures.js';
import { artifactPath, launchChromium, loginAs, schoolHost } from '../helpers/browser.js';
import { WIDTHS, assertAllInView } from '../helpers/layout.js';

const HOST = 'attendance.school.test';
let app: AdminUnderTest;
let fx: Fixture;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let staff: BrowserContext;

before(async () => {
  app = await startAdminApp('layout');
  fx = await seedFixture(app.ds);
  ({ browser, close: closeBrowser } = await launchChromium(schoolHost(HOST)));
  staff = await loginAs(browser, app.url, 'staff', PASSWORD);
});
after(async () => { await closeBrowser?.(); await app?.stop(); });

/** Opens `path` at every width, checks that nothing is off-screen, saves a screenshot, and runs `more`. */
async function atEveryWidth(name: string, path: string, ready: (page: Page) => Promise<void>, more?: (page: Page, width: number) => Promise<void>) {
  const page = await staff.newPage();
  try {
    for (const w of WIDTHS) {
      await page.setViewportSize({ width: w.width, height: w.height });
      await page.goto(path);
      await ready(page);
      await assertAllInView(page, `${name} at ${w.width} px`);
      await page.screenshot({ path: artifactPath(`${name}-${w.width}.png`), fullPage: true });
      await more?.(page, w.width);
    }
  } finally {
    await page.close();
  }
}

describe('panel layout at 1440, 1280 and 390 px', () => {
  test('student page: titled with the name, Register face a button of its own, the other actions in a menu that stays on screen', async () => {
    const ada = fx.students[0];
    await atEveryWidth('student', `/admin/resources/Student/records/${ada.id}/show`, async (page) => {
      await page.getByTestId('page-title').waitFor();
    }, async (page, width) => {
      assert.equal(await page.getByTestId('page-title').innerText(), ada.name);
      // The profile itself: consent and the latest marks, without going through Reports.
      await page.getByText('2026-03-02 present (camera)').waitFor();
      await page.getByText(/Given on \d{4}-\d{2}-\d{2}/).waitFor();
      const actions = page.getByTestId('page-actions');
      await actions.getByTestId('action-registerFace').waitFor();
      assert.ok(await actions.getByTestId('action-registerFace').isVisible(), 'Register face is a visible button');
      await page.getByTestId('more-actions').locator('summary').click();
      for (const a of ['enrollPhotos', 'recordConsent', 'withdrawConsent', 'exportData', 'deleteBiometrics', 'delete']) {
        assert.ok(await actions.getByTestId(`action-${a}`).isVisible(), `${a} in the open menu at ${width} px`);
      }
      await assertAllInView(page, `student page with its menu open at ${width} px`);
      await page.screenshot({ path: artifactPath(`student-menu-${width}.png`) });
    });
  });

  test('student list: every column reachable', async () => {
    await atEveryWidth('students', '/admin/resources/Student', (page) => page.locator('tbody tr').first().waitFor());
  });

  test('camera page and live view: titled with the camera, actions on screen, Start and Stop once', async () => {
    const cam = fx.cameras.a;
    await atEveryWidth('camera', `/admin/resources/Camera/records/${cam.id}/show`, (page) => page.getByTestId('page-title').waitFor(), async (page) => {
      assert.equal(await page.getByTestId('page-title').innerText(), cam.name);
      assert.ok(await page.getByTestId('page-actions').getByTestId('action-liveView').isVisible());
    });
    await atEveryWidth('live-view', `/admin/resources/Camera/records/${cam.id}/liveView`, (page) => page.getByTestId('live-start').waitFor(), async (page) => {
      assert.match(await page.getByTestId('page-title').innerText(), new RegExp(cam.name));
      assert.equal(await page.getByTestId('action-startDetection').count(), 0, 'no second Start in the header');
      assert.equal(await page.getByText('Start detection', { exact: true }).count(), 1, 'one Start');
    });
  });

  test('a camera address the engine cannot open is refused with a sentence, not saved', async () => {
    const page = await staff.newPage();
    await page.goto('/admin/resources/Camera/actions/new');
    await page.fill('[name=name]', 'Hall');
    await page.fill('[name=source]', 'http//cam.local');
    await page.click('[data-testid=button-save]');
    await page.getByText('Not a camera address').waitFor();
    assert.equal(await app.ds.getRepository(Camera).countBy({ name: 'Hall' }), 0);
    // And a form saves what it showed: an unticked "Active" box makes an inactive student.
    await page.goto('/admin/resources/Student/actions/new');
    await page.fill('[name=name]', 'Eve Unticked');
    await page.fill('[name=rollNumber]', 'A-099');
    await page.click('[data-testid=button-save]');
    await page.waitForURL((u) => !u.pathname.endsWith('/actions/new'));
    assert.equal((await app.ds.getRepository(Student).findOneByOrFail({ rollNumber: 'A-099' })).active, false);
    await page.close();
  });

  test('reports: the class report with every status column on screen', async () => {
    await atEveryWidth('report', `/admin/pages/reports?group=${fx.groups.a.id}&from=${fx.day}&to=${fx.day}`, async (page) => {
      await page.click('[data-testid=show-report]');
      await page.getByTestId('report').waitFor();
    });
  });

  test('attendance log and dashboard: rows keep their columns', async () => {
    await atEveryWidth('attendance-log', '/admin/resources/AttendanceLog', (page) => page.locator('tbody tr').first().waitFor(), async (page) => {
      const cells = await page.locator('tbody tr').first().locator('td').evaluateAll((tds) => tds.filter((td) => (td as HTMLElement).offsetWidth > 0 && (td as HTMLElement).innerText.trim()).length);
      assert.ok(cells >= 3, `a mark row shows its student, day and status (${cells} filled cells)`);
    });
    await atEveryWidth('dashboard', '/admin', (page) => page.getByTestId('recent').waitFor());
  });

  test('over plain HTTP from another machine, the camera pages say why the camera cannot work and what to do', async () => {
    const lan = await loginAs(browser, app.url.replace('127.0.0.1', HOST), 'staff', PASSWORD);
    const page = await lan.newPage();
    await page.goto(`/liveness/register-face?student=${fx.students[1].id}`);
    const result = page.locator('#result[data-outcome=failed]');
    await result.waitFor();
    assert.match(await result.innerText(), /not secure .*https:\/\/.*TLS_SELF_SIGNED/s);
    assert.ok(await page.locator('#retry').isHidden(), 'no "Try again" when trying again cannot help');
    await lan.close();
  });
});
