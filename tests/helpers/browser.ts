import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const ARTIFACTS_DIR = path.resolve(import.meta.dirname, '../../test-artifacts');

/**
 * Debian's Chromium, headless; never a downloaded browser. Playwright refuses a `--user-data-dir`
 * argument with `launch()`: it gives every launch a fresh temporary profile of its own instead.
 */
export async function launchChromium(extraArgs: string[] = []): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', ...extraArgs],
  });
  return { browser, close: () => browser.close() };
}

/**
 * A browser context for the local server only (the loopback, or the test's own host name mapped to it).
 * AdminJS's page asks Google Fonts for its typeface; offline that request would hang the page's load
 * event, so anything else fails at once.
 */
export async function localContext(browser: Browser, baseUrl: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const own = new Set(['127.0.0.1', 'localhost', new URL(baseUrl).hostname]);
  await context.route((url) => !own.has(url.hostname), (route) => route.abort());
  return context;
}

/** A new browser context logged in to the admin panel through its login form. */
export async function loginAs(browser: Browser, baseUrl: string, username: string, password: string): Promise<BrowserContext> {
  const context = await localContext(browser, baseUrl);
  const page = await context.newPage();
  // The first page of a fresh server waits for AdminJS to bundle the panel's components: slow on a busy machine.
  await page.goto('/admin/login', { timeout: 120_000 });
  await page.fill('input[name=email]', username);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.endsWith('/login')), page.press('input[name=password]', 'Enter')]);
  await page.close();
  return context;
}

/**
 * Chromium arguments that make `host` a school-network name for the loopback, and accept the panel's
 * generated (self-signed) certificate, as a school device would after trusting it once.
 */
export const schoolHost = (host: string) => [`--host-resolver-rules=MAP ${host} 127.0.0.1`, '--ignore-certificate-errors'];

/** Chromium arguments for a fake webcam playing `y4m` (getUserMedia needs no permission prompt). */
export const fakeWebcam = (y4m: string) => ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`];

export function artifactPath(name: string): string {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, name);
}
