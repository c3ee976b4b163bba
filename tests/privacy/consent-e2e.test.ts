// Privacy end to end with both real servers on one database and Redis: withdrawing consent in the
// admin panel erases the templates and the running engine stops recognising the student (through the
// gallery job); and nothing image-like is left on disk or in the database.
import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig, openDatabase } from '@attendance/shared';
import { loginCookie, withCookie } from '../helpers/admin-http.js';
import { PASSWORD, startEngine, waitHealthy, type TestEngine } from '../helpers/engine.js';
import { face, facesAvailable, FACES_DIR } from '../helpers/faces.js';
import { freePort, run, type Running } from '../helpers/spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let engine: TestEngine;
let admin: Running;
let adminUrl: string;

before(async () => {
  if (!facesAvailable) return;
  engine = await startEngine();
  const port = await freePort();
  adminUrl = `http://127.0.0.1:${port}`;
  admin = run(path.join(ROOT, 'node_modules/.bin/tsx'), ['admin-server/src/main.ts'], { cwd: ROOT, env: { ...engine.env, ADMIN_PORT: String(port), ENGINE_URL: engine.url } });
  await waitHealthy(adminUrl, admin);
});
after(async () => { await admin?.stop('SIGTERM'); await engine?.stop(); });

const JPEG = Buffer.from([0xff, 0xd8, 0xff]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Every file under `dir` and every blob/text column in the database, searched for JPEG and PNG signatures. */
async function imageTraces(dataDir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!p.endsWith('.sqlite') && !p.includes('-wal') && !p.includes('-shm')) {
        const bytes = fs.readFileSync(p);
        if (bytes.includes(JPEG) || bytes.includes(PNG)) found.push(p);
      }
    }
  };
  walk(dataDir);
  const { dataSource } = await openDatabase(loadConfig(engine.env), { migrate: false });
  try {
    const tables: Array<{ name: string }> = await dataSource.query("SELECT name FROM sqlite_master WHERE type = 'table'");
    for (const { name } of tables) {
      for (const row of await dataSource.query(`SELECT * FROM "${name}"`) as Array<Record<string, unknown>>) {
        for (const [col, v] of Object.entries(row)) {
          const bytes = Buffer.isBuffer(v) ? v : typeof v === 'string' ? Buffer.from(v, v.length > 64 && /^[A-Za-z0-9+/=]+$/.test(v) ? 'base64' : 'utf8') : null;
          // Encrypted templates are random bytes: a 3-byte signature can occur by chance only at offset 0 of a real image.
          if (bytes && (bytes.subarray(0, 3).equals(JPEG) || bytes.subarray(0, 8).equals(PNG))) found.push(`${name}.${col}`);
        }
      }
    }
  } finally {
    await dataSource.destroy();
  }
  return found;
}

test('withdrawing consent in the admin panel makes the running engine stop recognising the student; no image is stored', { skip: !facesAvailable && `face fixtures missing at ${FACES_DIR}`, timeout: 120_000 }, async () => {
  const token = await engine.token('staff');
  const consent = { given_by: 'Jane Doe', relationship: 'mother', method: 'paper', policy_version: '2026-09' };
  const enrolled = await fetch(`${engine.url}/api/v1/enroll`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Obama', roll_number: 'P-1', consent, photos: ['fr_obama/obama.jpg', 'fr_obama/obama2.jpg', 'fr_obama/obama3.jpg'].map((f) => face(f).toString('base64')) }),
  });
  assert.equal(enrolled.status, 201);
  const studentId = ((await enrolled.json()) as { student_id: number }).student_id;
  const recognized = async () => {
    const r = await fetch(`${engine.url}/api/v1/recognize`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' }, body: face('fr_obama/obama1.jpg') });
    return ((await r.json()) as { faces: Array<{ match: { student_id: number } | null }> }).faces[0]?.match?.student_id ?? null;
  };
  assert.equal(await recognized(), studentId);

  const { cookie } = await loginCookie(adminUrl, 'staff', PASSWORD);
  assert.ok(cookie, 'staff logs in to the admin panel');
  const res = await withCookie(cookie)(`${adminUrl}/admin/api/resources/Student/records/${studentId}/withdrawConsent`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const body = await res.json() as { notice: { type: string; message: string } };
  assert.equal(body.notice.type, 'success', body.notice.message);

  const deadline = Date.now() + 15_000;
  let now: number | null = studentId;
  while (Date.now() < deadline && now !== null) {
    await new Promise((r) => setTimeout(r, 200));
    now = await recognized();
  }
  assert.equal(now, null, 'the engine no longer names the student');
  // Enrolling again is refused until consent is recorded again.
  const again = await fetch(`${engine.url}/api/v1/enroll`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ student_id: studentId, photos: [face('fr_obama/obama.jpg').toString('base64')] }) });
  assert.equal(again.status, 403);

  assert.deepEqual(await imageTraces(engine.env.DATA_DIR!), [], 'no image bytes on disk or in the database');
});
