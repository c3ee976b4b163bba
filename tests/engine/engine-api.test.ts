// The engine over real HTTP: real SQLite file, real Redis, real models, real faces.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import { WebSocket } from 'ws';
import { FaceTemplate, QUEUES, Student, TemplateCipher, jobId, loadConfig, openDatabase, redisOptions, signToken } from '@attendance/shared';
import { VisionPipeline, cv } from '../../ai-engine/src/vision/index.js';
import { face, facesAvailable, FACES_DIR } from '../helpers/faces.js';
import { startEngine, type TestEngine } from '../helpers/engine.js';

let engine: TestEngine;

async function call(path: string, init: RequestInit & { token?: string; json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  const res = await fetch(`${engine.url}${path}`, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
  const text = await res.text();
  let body: any = text;
  try { body = JSON.parse(text); } catch { /* not JSON: keep the text for the assertion message */ }
  return { status: res.status, body, headers: res.headers };
}

const b64 = (rel: string) => face(rel).toString('base64');
const consent = { given_by: 'Jane Doe', relationship: 'mother', method: 'paper', policy_version: '2026-09' };

describe('ai-engine HTTP API', { skip: !facesAvailable && `face fixtures missing at ${FACES_DIR}` }, () => {
  before(async () => { engine = await startEngine({ LOGIN_MAX_ATTEMPTS: '3' }); });
  after(async () => engine?.stop());

  test('health reports models, database, Redis and the gallery; unknown routes are JSON 404s', async () => {
    const h = await call('/health');
    assert.equal(h.status, 200);
    assert.equal(h.body.database, true);
    assert.equal(h.body.redis, true);
    assert.match(h.body.models, /mobilefacenet/);
    const nf = await call('/nope');
    assert.equal(nf.status, 404);
    assert.equal(nf.body.error, 'not_found');
  });

  test('login works, and repeated failures are rate-limited with 429 and Retry-After', async () => {
    assert.ok(await engine.token('admin'));
    const wrong = () => call('/api/v1/auth/login', { method: 'POST', json: { username: 'teacher', password: 'not the password' } });
    for (let i = 0; i < 3; i++) assert.equal((await wrong()).status, 401);
    const limited = await wrong();
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error, 'rate_limited');
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    // Even the right password waits out the window: the limit is on the account, not on failures only.
    assert.equal((await call('/api/v1/auth/login', { method: 'POST', json: { username: 'teacher', password: 'correct horse battery staple' } })).status, 429);
  });

  test('no token, a wrong role and an expired token get 401/403', async () => {
    assert.equal((await call('/api/v1/recognize', { method: 'POST', json: { image: b64('fr_obama/obama.jpg') } })).status, 401);
    assert.equal((await call('/metrics')).status, 401);
    const teacher = await signTeacher();
    assert.equal((await call('/api/v1/enroll', { method: 'POST', token: teacher, json: { name: 'X', roll_number: 'X1', photos: ['aGk='] } })).status, 403);
    const cfg = loadConfig(engine.env);
    const expired = await signToken({ secret: cfg.JWT_SECRET, issuer: cfg.JWT_ISSUER }, { sub: '1', username: 'admin', role: 'admin' }, 'engine', -10);
    const r = await call('/metrics', { token: expired });
    assert.equal(r.status, 401);
    assert.match(r.body.message, /expired/);
    const m = await call('/metrics', { token: await engine.token('admin') });
    assert.equal(m.status, 200);
    assert.match(m.body, /engine_http_requests_total/);
  });

  test('enroll 3 photos, recognize a 4th photo of the same person; a stranger is unknown; a second enrolment of the face is a 409', async () => {
    const staff = await engine.token('staff');
    const enrolled = await call('/api/v1/enroll', {
      method: 'POST', token: staff,
      json: { name: 'Barack Obama', roll_number: 'R-001', consent, photos: ['fr_obama/obama.jpg', 'fr_obama/obama2.jpg', 'fr_obama/obama3.jpg'].map(b64) },
    });
    assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
    assert.equal(enrolled.body.templates, 3);
    const studentId = enrolled.body.student_id;

    const seen = await call('/api/v1/recognize', { method: 'POST', token: staff, json: { image: b64('fr_obama/obama1.jpg') } });
    assert.equal(seen.status, 200);
    assert.equal(seen.body.faces.length, 1);
    assert.equal(seen.body.faces[0].verdict, 'matched');
    assert.equal(seen.body.faces[0].match.student_id, studentId);
    assert.equal(seen.body.faces[0].match.name, 'Barack Obama');

    // A raw JPEG body works too.
    const stranger = await call('/api/v1/recognize', { method: 'POST', token: staff, headers: { 'content-type': 'image/jpeg' }, body: face('sun_Melania/Melania-1.jpg') });
    assert.equal(stranger.status, 200);
    assert.equal(stranger.body.faces.length, 1);
    assert.equal(stranger.body.faces[0].match, null);
    assert.notEqual(stranger.body.faces[0].verdict, 'matched');

    const dup = await call('/api/v1/enroll', { method: 'POST', token: staff, json: { name: 'Someone Else', roll_number: 'R-002', consent, photos: [b64('fr_obama/obama_small.jpg')] } });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.details.student_id, studentId);
    // Nothing of the refused enrolment was stored.
    const db = await openDatabase(loadConfig(engine.env), { migrate: false });
    try {
      assert.equal(await db.dataSource.getRepository(Student).countBy({ rollNumber: 'R-002' }), 0);
    } finally { await db.dataSource.destroy(); }
  });

  test('no enrolment without consent: a new student without one, or an existing student without one, is refused', async () => {
    const staff = await engine.token('staff');
    const photos = [b64('fr_biden/biden.jpg')];
    const fresh = await call('/api/v1/enroll', { method: 'POST', token: staff, json: { name: 'No Consent', roll_number: 'R-050', photos } });
    assert.equal(fresh.status, 403);
    assert.equal(fresh.body.error, 'consent_required');
    const cfg = loadConfig(engine.env);
    const { dataSource } = await openDatabase(cfg, { migrate: false });
    try {
      const student = await dataSource.getRepository(Student).save({ name: 'Existing', rollNumber: 'R-051', active: true });
      const existing = await call('/api/v1/enroll', { method: 'POST', token: staff, json: { student_id: student.id, photos } });
      assert.equal(existing.status, 403);
      assert.equal(existing.body.error, 'consent_required');
      assert.equal(await dataSource.getRepository(FaceTemplate).countBy({ studentId: student.id }), 0);
      assert.equal(await dataSource.getRepository(Student).countBy({ rollNumber: 'R-050' }), 0);
      // With consent recorded through the API, the consent row says who gave it.
      const ok = await call('/api/v1/enroll', { method: 'POST', token: staff, json: { name: 'With Consent', roll_number: 'R-052', consent, photos } });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      const rows = await dataSource.query('SELECT given_by, relationship, method, policy_version FROM consents WHERE student_id = ?', [ok.body.student_id]);
      assert.deepEqual(rows, [{ given_by: 'Jane Doe', relationship: 'mother', method: 'paper', policy_version: '2026-09' }]);
    } finally {
      await dataSource.destroy();
    }
  });

  test('bad input gets a 4xx JSON error and the server keeps serving', async () => {
    const staff = await engine.token('staff');
    const jpeg = face('fr_obama/obama.jpg');
    const corrupt = Buffer.concat([jpeg.subarray(0, 600), crypto.randomBytes(2000)]);
    const cases: Array<[string, Promise<{ status: number; body: any }>, number]> = [
      ['corrupt JPEG', call('/api/v1/recognize', { method: 'POST', token: staff, headers: { 'content-type': 'image/jpeg' }, body: corrupt }), 422],
      ['malformed JSON', call('/api/v1/recognize', { method: 'POST', token: staff, headers: { 'content-type': 'application/json' }, body: '{"image": ' }), 400],
      ['bad base64', call('/api/v1/recognize', { method: 'POST', token: staff, json: { image: '%%% not base64 %%%' } }), 422],
      ['noise PNG to enroll', call('/api/v1/enroll', { method: 'POST', token: staff, json: { student_id: 1, photos: [noisePng().toString('base64')] } }), 422],
      ['50 MB body', call('/api/v1/recognize', { method: 'POST', token: staff, headers: { 'content-type': 'image/jpeg' }, body: Buffer.alloc(50 * 1024 * 1024, 1) }).catch(() => ({ status: 413, body: { error: 'payload_too_large' } })), 413],
    ];
    for (const [what, pending, status] of cases) {
      const r = await pending;
      assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
      assert.equal(typeof r.body.error, 'string', `${what} has a JSON error`);
    }
    assert.equal((await call('/health')).status, 200, 'still serving');
  });

  test('a gallery job enqueued by another process updates the running engine', async () => {
    const staff = await engine.token('staff');
    const recognizeP01 = async () => (await call('/api/v1/recognize', { method: 'POST', token: staff, json: { image: b64('deepface_p01/img1.jpg') } })).body.faces[0];
    assert.equal((await recognizeP01()).match, null, 'not enrolled yet');
    // This process plays another service: it writes an encrypted template and enqueues the job.
    const cfg = loadConfig(engine.env);
    const { dataSource } = await openDatabase(cfg, { migrate: false });
    const vision = await VisionPipeline.load({ modelsDir: cfg.MODELS_DIR });
    try {
      const vector = (await vision.analyzeBytes(face('deepface_p01/img2.jpg')))[0].embedding!;
      const student = await dataSource.getRepository(Student).save({ name: 'P01', rollNumber: 'R-010', active: true });
      const id = crypto.randomUUID();
      await dataSource.getRepository(FaceTemplate).insert({
        id, studentId: student.id, pose: 'upload', modelId: vision.modelId, keyId: cfg.TEMPLATE_KEY_ID, quality: 1,
        ciphertext: new TemplateCipher(cfg.templateKey, cfg.TEMPLATE_KEY_ID).encrypt(vector, student.id, id),
      });
      const queue = new Queue(QUEUES.gallery, { connection: redisOptions(cfg.REDIS_URL), prefix: cfg.QUEUE_PREFIX });
      await queue.add('gallery.student-enrolled', { studentId: student.id }, { jobId: jobId('gallery.student-enrolled', { studentId: student.id }, id) });
      await queue.close();
      const deadline = Date.now() + 15_000;
      let matched: number | undefined;
      while (Date.now() < deadline && matched !== student.id) {
        await new Promise((res) => setTimeout(res, 200));
        matched = (await recognizeP01()).match?.student_id;
      }
      assert.equal(matched, student.id, `the engine follows the job without a restart: ${JSON.stringify((await call("/health")).body)} ${JSON.stringify(await recognizeP01())}`);
    } finally {
      await vision.close();
      await dataSource.destroy();
    }
  });

  test('a WebSocket without a token is refused; with one it receives the attendance event of recognize?mark=true', async () => {
    const wsUrl = engine.url.replace('http', 'ws') + '/ws';
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(wsUrl);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    assert.equal(refused, 401);
    const forged = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${wsUrl}?token=not.a.token`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    assert.equal(forged, 401);

    const staff = await engine.token('staff');
    // The browser way: the token as a subprotocol.
    const ws = new WebSocket(`${wsUrl}?topics=attendance`, ['bearer', staff]);
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    assert.equal(ws.protocol, 'bearer');
    const event = new Promise<any>((resolve) => ws.on('message', (m) => resolve(JSON.parse(m.toString()))));
    const marked = await call('/api/v1/recognize?mark=true', { method: 'POST', token: staff, json: { image: b64('fr_obama/obama1.jpg') } });
    assert.equal(marked.status, 200);
    assert.equal(marked.body.marks[0].marked, true, JSON.stringify(marked.body.marks));
    const msg = await event;
    assert.equal(msg.topic, 'attendance');
    assert.equal(msg.event.studentName, 'Barack Obama');
    assert.equal(msg.event.status, 'present');
    ws.close();
    // Marked once per day: the second recognition does not mark again.
    const again = await call('/api/v1/recognize?mark=true', { method: 'POST', token: staff, json: { image: b64('fr_obama/obama2.jpg') } });
    assert.deepEqual(again.body.marks, [{ marked: false, reason: 'already_marked' }]);
  });

  test('the OpenAPI document lists exactly the routes served', async () => {
    const doc = await call('/api/v1/openapi.json');
    assert.equal(doc.status, 200);
    assert.equal(doc.body.openapi, '3.0.3');
    const documented = Object.entries(doc.body.paths as Record<string, object>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)).sort();
    for (const op of documented) {
      const [method, p] = op.split(' ');
      if (method !== 'get' && method !== 'post') continue;
      const r = await call(p.replace(/\{\w+\}/g, '1'), { method: method.toUpperCase() });
      assert.notEqual(r.body.error, 'not_found', `${op} is served`);
    }
  });
});

async function signTeacher(): Promise<string> {
  const cfg = loadConfig(engine.env);
  return signToken({ secret: cfg.JWT_SECRET, issuer: cfg.JWT_ISSUER }, { sub: '3', username: 'teacher', role: 'teacher' }, 'engine', 60);
}

/** A valid PNG of random noise: an image, but no face. */
function noisePng(): Buffer {
  return cv.imencode('.png', new cv.Mat(Buffer.from(crypto.randomBytes(64 * 64 * 3)), 64, 64, cv.CV_8UC3));
}
