import fs from 'node:fs';
import path from 'node:path';

/**
 * Outside production AdminJS bundles the custom components on the first request for them, but
 * reuses any bundle left in its folder by an earlier run, which may be of older components.
 */
export function clearStaleBundle(): void {
  const dir = process.env.ADMIN_JS_TMP_DIR ?? path.join(process.cwd(), '.adminjs');
  fs.rmSync(path.join(dir, 'bundle.js'), { force: true });
}
