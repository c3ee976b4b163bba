// The year rollover page in real Chromium: an administrator checks the rollover, fixes what stops it, changes a
// target, must check again, applies it; staff and teachers neither see the page in the menu nor can use it.
import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AcademicYear, ClassGroup, Student } from '@attendance/shared';
import { artifactPath } from '../helpers/browser.js';
import { assertAllInView } from '../helpers/layout.js';
import { startPanel, type PanelUnderTest } from '../helpers/panel.js';

let panel: PanelUnderTest;

before(async () => {
  // A class without a number in its name cannot be promoted by name: the check must say so.
  panel = await startPanel('rollover-page', ['admin', 'teacher'], async (app) => { await app.ds.getRepository(ClassGroup).save({ name: 'Choir', teacherId: null }); });
});
after(async () => panel?.stop());

test('a teacher has no rollover page in the menu, and the page and its route refuse', async () => {
  await panel.withPage('teacher', async (page) => {
    await page.goto('/admin/pages/rollover');
    await page.getByTestId('rollover-admins-only').waitFor();
    assert.equal(await page.getByText('Year rollover', { exact: true }).count(), 0, 'not in the sidebar');
    const status = await page.evaluate(async () => (await fetch('/api/rollover', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ year: '2025-2026' }) })).status);
    assert.equal(status, 403);
  });
});

test('an administrator checks, fixes, re-checks and applies the rollover (1280 and 390 px)', async () => {
  const { ds } = panel.app;
  const groups = ds.getRepository(ClassGroup);
  const inA = await ds.getRepository(Student).countBy({ classGroupId: panel.fx.groups.a.id, active: true });
  await panel.withPage('admin', async (page) => {
    page.on('dialog', (d) => { void d.accept(); });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto('/admin/pages/rollover');
    await page.getByText('Year rollover', { exact: true }).first().waitFor();
    await page.fill('[data-testid=rollover-year]', '2025-2026');
    await page.getByTestId('rollover-dry-run').click();
    await page.getByTestId('rollover-problems').filter({ hasText: '"Choir" has no number to promote' }).waitFor();
    assert.ok(await page.getByTestId('rollover-apply').isDisabled(), 'no Apply while something stops the rollover');
    const target = (name: string) => page.locator(`tr[data-class="${name}"] [data-testid=rollover-target]`);
    assert.equal(await target('Class 7A').inputValue(), 'Class 8A', 'promoted by its number');
    assert.equal(await target('Choir').inputValue(), '', 'empty: leaves the school');

    await page.getByTestId('rollover-dry-run').click(); // Choir now explicitly leaves
    await page.getByTestId('rollover-summary').filter({ hasText: /^Dry run for 2025-2026: \d+ students would move up/ }).waitFor();
    assert.ok(await page.getByTestId('rollover-apply').isEnabled());
    await target('Class 8B').fill('Class 9 Blue');
    await page.getByTestId('rollover-recheck').waitFor();
    assert.ok(await page.getByTestId('rollover-apply').isDisabled(), 'Apply only what the last check showed');
    await page.getByTestId('rollover-dry-run').click();
    await page.getByTestId('rollover-recheck').waitFor({ state: 'detached' });
    assert.equal(await ds.getRepository(AcademicYear).count(), 0, 'checks write nothing');

    await page.getByTestId('rollover-apply').click();
    await page.getByTestId('rollover-summary').filter({ hasText: /^Applied: 2025-2026 is archived/ }).waitFor();
    assert.equal(await ds.getRepository(AcademicYear).countBy({ name: '2025-2026' }), 1);
    assert.ok(await groups.findOneBy({ name: 'Class 7A (2025-2026)' }), 'the old class is kept under its year');
    const next = await groups.findOneByOrFail({ name: 'Class 8A' });
    assert.equal(await ds.getRepository(Student).countBy({ classGroupId: next.id, active: true }), inA, 'its students moved up');
    assert.ok(await groups.findOneBy({ name: 'Class 9 Blue' }), 'the edited target was applied');

    await page.setViewportSize({ width: 390, height: 844 });
    await assertAllInView(page, 'rollover report at 390 px');
    await page.screenshot({ path: artifactPath('rollover-390.png'), fullPage: true });
    // Once is all: the same year again is refused with the server's reason.
    await page.getByTestId('rollover-dry-run').click();
    await page.getByTestId('rollover-error').filter({ hasText: 'was already rolled over' }).waitFor();
  });
});
