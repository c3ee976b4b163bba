// Privacy end to end with both real servers on one database and Redis: withdrawing consent in the
// admin panel erases the templates and the running engine stops recognising the student (through the
// gallery job); and nothing image-like is left on disk or in the database.
import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig, openDatabase } from '@attendance/shared';
import { loginCookie, withCookie } from '../helpers/admin-http.js';
import { PASSWORD, startEngine, waitHealthy, type TestEngine } from '../helpers/engine.js';
import { face, facesAvailable, FACES_DIR } from '../helpers/faces.js';
import { imageTraces } from '../helpers/image-traces.js';
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

  const { dataSource } = await openDatabase(loadConfig(engine.env), { migrate: false });
  try {
    assert.deepEqual(await imageTraces(engine.env.DATA_DIR!, dataSource), [], 'no image bytes on disk or in the database');
  } finally {
    await dataSource.destroy();
  }
});
