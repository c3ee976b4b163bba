import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AuditLog, Student, loadConfig, openDatabase, verifyToken } from '@attendance/shared';
import { startAdminApp, type AdminUnderTest } from '../helpers/admin-app.js';
import { PASSWORD, seedFixture, type Fixture } from '../helpers/admin-fixtures.js';
import { loginCookie, withCookie } from '../helpers/admin-http.js';
import { startJsonServer } from '../helpers/admin-json-server.js';
import { run } from '../helpers/spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let engine: Awaited<ReturnType<typeof startJsonServer>>;
let engineUrl: string;
let app: AdminUnderTest;
let fx: Fixture;
const enrollCalls = () => engine.calls.filter((c) => c.url === '/api/v1/enroll').map((c) => ({ auth: c.auth, body: JSON.parse(c.body) as { student_id: number; photos: string[] } }));

/** A stand-in for the engine's /health and /enroll: photo 2 of every request is "rejected". */
before(async () => {
  engine = await startJsonServer(({ url, body }) => {
    if (url === '/health') return [200, { status: 'ok' }];
    if (url === '/api/v1/detection/status') return [200, { cameras: [{ camera_id: fx.cameras.a.id, state: 'running', detail: null, engine: 'engine-2' }] }];
    const req = JSON.parse(body) as { student_id: number; photos: string[] };
    if (req.student_id === fx?.students[3].id) return [409, { error: 'conflict', message: 'this face is already enrolled as another student' }];
    return [201, { student_id: req.student_id, templates: req.photos.length - 1, rejected: [{ index: 1, reasons: ['no_face'] }] }];
  });
  engineUrl = engine.url;
  app = await startAdminApp('engine', { engineUrl });
  fx = await seedFixture(app.ds);
});
after(async () => { await app.stop(); await engine.close(); });

describe('enrol from photos through the engine', () => {
  const enroll = async (role: string, studentId: number, photos: string[]) => {
    const { cookie } = await loginCookie(app.url, role, PASSWORD);
    return withCookie(cookie!)(`${app.url}/api/students/${studentId}/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ photos }) });
  };

  test('staff enrol: per-photo reasons come back, acting as the staff member towards the engine', async () => {
    const ben = fx.students[1].id;
    const res = await enroll('staff', ben, ['cGhvdG8x', 'cGhvdG8y']);
    assert.equal(res.status, 201);
    assert.deepEqual(await res.json(), { student_id: ben, templates: 1, rejected: [{ index: 1, reasons: ['no_face'] }] });
    const claims = await verifyToken({ secret: app.config.JWT_SECRET, issuer: app.config.JWT_ISSUER }, enrollCalls().at(-1)!.auth!.slice(7), 'engine');
    assert.equal(claims.username, 'staff');
    // The engine stores the templates, so it alone audits the enrolment and enqueues the gallery job:
    // one audit row per enrolment, not one from each server.
    assert.equal(await app.ds.getRepository(AuditLog).countBy({ entity: 'student', entityId: String(ben) }), 0);
  });

  test('refusals: no consent (400), a teacher (403), a duplicate face (409 from the engine)', async () => {
    assert.equal((await enroll('staff', fx.students[2].id, ['eA=='])).status, 400);
    assert.equal((await enroll('teacher', fx.students[1].id, ['eA=='])).status, 403);
    const dup = await enroll('admin', fx.students[3].id, ['eA==']);
    assert.equal(dup.status, 409);
    assert.match((await dup.json() as { message: string }).message, /already enrolled/);
  });
});

test("the camera list shows the engine's live state and which engine runs each camera", async () => {
  const { cookie } = await loginCookie(app.url, 'admin', PASSWORD);
  const res = await withCookie(cookie!)(`${app.url}/admin/api/resources/Camera/actions/list`);
  const records = ((await res.json()) as { records: { params: { name: string; engineState: string; runsOn: string } }[] }).records;
  assert.deepEqual(Object.fromEntries(records.map((r) => [r.params.name, r.params.engineState])), { 'Room 101': 'running', 'Room 202': 'not running' });
  assert.deepEqual(Object.fromEntries(records.map((r) => [r.params.name, r.params.runsOn])), { 'Room 101': 'engine-2', 'Room 202': '—' });
});

describe('npm run seed:demo', () => {
  test('creates the demo school and enrols each identity through the engine', async () => {
    const tmp = fs.mkdtempSync(path.join(process.env.TEST_TMP_DIR!, 'seed-'));
    const faces = path.join(tmp, 'faces');
    for (const who of ['person_a', 'person_b']) {
      fs.mkdirSync(path.join(faces, who), { recursive: true });
      for (const f of ['1.jpg', '2.jpg']) fs.writeFileSync(path.join(faces, who, f), Buffer.from(`${who}-${f}`));
    }
    fs.mkdirSync(path.join(faces, '_videos'));
    fs.writeFileSync(path.join(faces, '_videos', 'clip.mp4'), '');
    const env = { ...process.env, DATA_DIR: tmp, SQLITE_FILE: path.join(tmp, 'seed.sqlite'), FACES_DIR: faces, ENGINE_URL: engineUrl };
    const before = enrollCalls().length;
    const seed = run(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/seed-demo.ts'], { cwd: ROOT, env });
    const code = seed.child.exitCode ?? await new Promise((r) => seed.child.once('exit', r));
    assert.equal(code, 0, seed.output());
    assert.match(seed.output(), /enrolled 2 student\(s\) through the engine/);
    assert.equal(enrollCalls().length - before, 2);
    assert.equal(enrollCalls().at(-1)!.body.photos.length, 2);
    const { dataSource } = await openDatabase(loadConfig({ ...env, NODE_ENV: 'test' }));
    try {
      assert.deepEqual((await dataSource.getRepository(Student).find({ order: { rollNumber: 'ASC' } })).map((s) => s.rollNumber), ['DEMO-001', 'DEMO-002']);
    } finally {
      await dataSource.destroy();
    }
  });
});
