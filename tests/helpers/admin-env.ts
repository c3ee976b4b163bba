// Imported first by admin tests: AdminJS reads ADMIN_JS_TMP_DIR when it is loaded, and each test
// process gets its own bundle folder so parallel test files never share one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const base = process.env.TEST_TMP_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'fa-admin-'));
process.env.ADMIN_JS_TMP_DIR = path.join(base, `adminjs-${process.pid}`);
process.env.NODE_ENV = 'test';
