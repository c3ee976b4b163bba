// The set-up of the panel's browser tests: the admin app on its own SQLite file with the shared fixture, one
// Chromium, and a logged-in browser context per role.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startAdminApp, type AdminUnderTest } from './admin-app.js';
import { PASSWORD, seedFixture, type Fixture } from './admin-fixtures.js';
import { launchChromium, loginAs } from './browser.js';

export interface PanelUnderTest {
  app: AdminUnderTest;
  fx: Fixture;
  browser: Browser;
  as: Record<string, BrowserContext>;
  /** A fresh page of `role`'s context, closed when `fn` is done. */
  withPage(role: string, fn: (page: Page) => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/** `prepare` runs after the fixture is seeded and before anyone logs in. */
export async function startPanel(name: string, roles: string[], prepare?: (app: AdminUnderTest, fx: Fixture) => Promise<void>): Promise<PanelUnderTest> {
  const app = await startAdminApp(name);
  const fx = await seedFixture(app.ds);
  await prepare?.(app, fx);
  const { browser, close } = await launchChromium();
  const as: Record<string, BrowserContext> = {};
  for (const role of roles) as[role] = await loginAs(browser, app.url, role, PASSWORD);
  return {
    app, fx, browser, as,
    async withPage(role, fn) {
      const page = await as[role].newPage();
      try {
        await fn(page);
      } finally {
        await page.close();
      }
    },
    async stop() {
      await close();
      await app.stop();
    },
  };
}
