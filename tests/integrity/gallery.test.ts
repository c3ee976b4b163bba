// Gallery changes always arrive: two real engines on one SQLite file and a Redis of this test's own,
// stopped and restarted mid-run. Deactivating, deleting, reactivating or renaming a student, and
// withdrawing consent, reach every engine within 5 s, with Redis up or down; requests never hang
// on Redis, /health says so truthfully during the outage and recovers by itself; the real admin
// server answers a panel action during the outage instead of hanging, and works again after it.
import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUES, Student, galleryVersion, loadConfig, openDatabase, redisRequestOptions } from '@attendance/shared';
import { startRedis } from '../../scripts/lib/redis.mjs';
import { ConsentService } from '../../admin-server/src/services/consent.service.js';
import { loginCookie, withCookie } from '../helpers/admin-http.js';
import { PASSWORD, launchEngine, prepareDatabase, waitHealthy, type TestEngine } from '../helpers/engine.js';
import { face, facesAvailable, FACES_DIR } from '../helpers/faces.js';
import { freePort, run, type Running } from '../helpers/spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The promise: every running engine stops naming a departed student within this. */
const PROPAGATION_MS = 5000;
const consent = { given_by: 'Jane Doe', relationship: 'mother', method: 'paper', policy_version: '2026-09' };
const b64 = (rel: string) => face(rel).toString('base64');

type Redis_ = Awaited<ReturnType<typeof startRedis>>;

describe('gallery changes reach every engine, through a Redis outage', { skip: !facesAvailable && `face fixtures missing at ${FACES_DIR}` }, () => {
  let redis: Redis_;
  let engines: TestEngine[] = [];
  let db: Awaited<ReturnType<typeof openDatabase>>['dataSource'];
  let env: NodeJS.ProcessEnv;
  let admin: Running;
  let adminUrl: string;

  before(async () => {
    redis = await startRedis();
    env = await prepareDatabase({ REDIS_URL: redis.url, QUEUE_PREFIX: `gal${process.pid}` });
    engines = [];
    for (let i = 0; i < 2; i++) engines.push(await launchEngine({ ...env, ENGINE_PORT: String(await freePort()) }));
    ({ dataSource: db } = await openDatabase(loadConfig(env), { migrate: false }));
    const port = await freePort();
    adminUrl = `http://127.0.0.1:${port}`;
    admin = run(path.join(ROOT, 'node_modules/.bin/tsx'), ['admin-server/src/main.ts'], { cwd: ROOT, env: { ...env, ADMIN_PORT: String(port), ENGINE_URL: engines[0].url } });
    await waitHealthy(adminUrl, admin);
  });
  after(async () => {
    await admin?.stop('SIGTERM');
    for (const e of engines) await e.stop();
    await db?.destroy();
    await redis?.stop();
  });

  async function call(engine: TestEngine, path: string, json?: unknown) {
    const init: RequestInit = { headers: { authorization: `Bearer ${await engine.token('staff')}`, 'content-type': 'application/json' } };
    const res = await fetch(`${engine.url}${path}`, json === undefined ? init : { ...init, method: 'POST', body: JSON.stringify(json) });
    return { status: res.status, body: await res.json() as any };
  }

  /** Who each engine names in a photo. */
  const namedBy = async (engine: TestEngine, photo: string) => (await call(engine, '/api/v1/recognize', { image: b64(photo) })).body.faces[0]?.match ?? null;

  /** Resolves once every engine holds at least the database's current gallery version, or fails after PROPAGATION_MS. */
  async function everyEngineCaughtUp(what: string): Promise<void> {
    const target = await galleryVersion(db);
    const deadline = Date.now() + PROPAGATION_MS;
    for (const e of engines) {
      for (;;) {
        const h = await fetch(`${e.url}/health`).then((r) => r.json() as Promise<any>);
        if (h.gallery.version >= target) break;
        assert.ok(Date.now() < deadline, `${what}: engine ${e.url} still at gallery version ${h.gallery.version} < ${target} after ${PROPAGATION_MS} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async function enrol(name: string, roll: string, photos: string[]): Promise<number> {
    const r = await call(engines[0], '/api/v1/enroll', { name, roll_number: roll, consent, photos: photos.map(b64) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.student_id;
  }

  async function health(engine: TestEngine) {
    const res = await fetch(`${engine.url}/health`);
    return { status: res.status, body: await res.json() as any };
  }

  async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (ok(v)) return v;
      assert.ok(Date.now() < deadline, `${what}: last ${JSON.stringify(v)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  test('the outbox triggers exist after every migration', async () => {
    // The gallery's own (attendance_log has triggers of its own: tests/admin/attendance-events.test.ts).
    const triggers = (await db.query(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'gallery%'`)).map((r: { name: string }) => r.name).sort();
    assert.deepEqual(triggers, ['gallery_student_deleted', 'gallery_student_updated', 'gallery_template_added', 'gallery_template_deleted']);
  });

  test('enrolled on one engine, named by both; deactivated or deleted, named by neither within 5 s', async () => {
    const obama = await enrol('Barack Obama', 'G-001', ['fr_obama/obama.jpg', 'fr_obama/obama2.jpg', 'fr_obama/obama3.jpg']);
    await everyEngineCaughtUp('enrolment');
    for (const e of engines) assert.equal((await namedBy(e, 'fr_obama/obama1.jpg'))?.student_id, obama, `${e.url} names the enrolled student`);

    // As an AdminJS edit does: the entity saved through the data source.
    const student = await Student.findOneByOrFail({ id: obama });
    student.active = false;
    await student.save();
    await everyEngineCaughtUp('deactivation');
    for (const e of engines) assert.equal(await namedBy(e, 'fr_obama/obama1.jpg'), null, `${e.url} no longer names a deactivated student`);

    student.active = true;
    student.name = 'B. Obama';
    await student.save();
    await everyEngineCaughtUp('reactivation and rename');
    for (const e of engines) assert.equal((await namedBy(e, 'fr_obama/obama1.jpg'))?.name, 'B. Obama', `${e.url} names them again, by the new name`);

    await Student.softRemove(student);
    await everyEngineCaughtUp('soft delete');
    for (const e of engines) assert.equal(await namedBy(e, 'fr_obama/obama1.jpg'), null, `${e.url} no longer names a deleted student`);
  });

  test('Redis stopped: health says so, requests answer, changes still arrive; Redis back: health recovers by itself', async () => {
    const biden = await enrol('Joe Biden', 'G-002', ['fr_biden/biden.jpg']);
    await everyEngineCaughtUp('enrolment');
    const { cookie: staffCookie } = await loginCookie(adminUrl, 'staff', PASSWORD);
    assert.ok(staffCookie, 'staff logs in to the panel before the outage');
    await redis.stop();

    for (const e of engines) {
      const h = await until('health during the outage', () => health(e), (h) => h.status === 503, 10_000);
      assert.equal(h.body.redis, false);
      assert.equal(h.body.database, true);
    }
    // An enrolment answers (it is committed; the job is only a hint) and the other engine still learns of it.
    const started = Date.now();
    const kit = await enrol('Kit Harington', 'G-003', ['fr_kit_harington/john1.jpeg']);
    const tookMs = Date.now() - started;
    await everyEngineCaughtUp('enrolment during the outage');
    assert.equal((await namedBy(engines[1], 'fr_kit_harington/john2.jpeg'))?.student_id, kit, `engine 2 names a student enrolled on engine 1 during the outage (enrolment took ${tookMs} ms)`);

    // The real panel answers an action (its sessions live in Redis: it fails fast) instead of hanging.
    const action = (cookie: string, studentId: number, name: string) =>
      withCookie(cookie)(`${adminUrl}/admin/api/resources/Student/records/${studentId}/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const asked = Date.now();
    const during = await action(staffCookie, biden, 'withdrawConsent').then((r) => r.status, (err: Error) => err.name);
    assert.equal(typeof during, 'number', `the panel answered during the outage (${during} after ${Date.now() - asked} ms)`);

    // The service behind that action, with the panel's Redis options: done, not hanging.
    const panelRedis = new Redis(redis.url, redisRequestOptions());
    panelRedis.on('error', () => undefined); // the outage is the point of this test
    const queue = new Queue(QUEUES.gallery, { connection: panelRedis, prefix: env.QUEUE_PREFIX });
    try {
      const { removed } = await new ConsentService(db, queue).withdraw(biden, { id: null, name: 'test' });
      assert.equal(removed, 1);
    } finally {
      panelRedis.disconnect();
    }
    await everyEngineCaughtUp('consent withdrawn during the outage');
    for (const e of engines) assert.equal(await namedBy(e, 'fr_biden/biden2.jpg'), null, `${e.url} no longer names a student whose consent was withdrawn`);

    redis = await startRedis({ port: redis.port });
    for (const e of engines) {
      const h = await until('health after Redis returned', () => health(e), (h) => h.status === 200, 20_000);
      assert.equal(h.body.redis, true);
    }
    const rose = await enrol('Rose Leslie', 'G-004', ['fr_rose_leslie/img1.jpg']);
    await everyEngineCaughtUp('enrolment after the outage');
    assert.equal((await namedBy(engines[1], 'fr_rose_leslie/img2.jpg'))?.student_id, rose);

    // The panel works again by itself (a new session: this Redis kept none) and its changes reach the engines.
    const { cookie } = await until('panel login after the outage', () => loginCookie(adminUrl, 'staff', PASSWORD), (r) => !!r.cookie);
    const erased = await action(cookie!, kit, 'deleteBiometrics');
    assert.equal(((await erased.json()) as { notice: { type: string } }).notice.type, 'success');
    await everyEngineCaughtUp('biometric data deleted in the panel');
    for (const e of engines) assert.equal(await namedBy(e, 'fr_kit_harington/john2.jpeg'), null, `${e.url} no longer names a student whose templates were deleted`);
  });
});
