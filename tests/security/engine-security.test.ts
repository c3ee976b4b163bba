// The engine under abuse, over real HTTP and WebSockets: who may identify faces and mark attendance,
// what each role sees on /ws and MJPEG and for how long, laptop sessions that end, bodies refused before
// they are buffered, aborted uploads, sockets closed mid-message, and login limits shared by engines.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import {
  AttendanceLog, AuditLog, Camera, ClassGroup, ClassSession, Student, User, createApiKey, hashPassword, loadConfig, openDatabase, signToken, type Role,
} from '@attendance/shared';
import { face, facesAvailable, FACES_DIR } from '../helpers/faces.js';
import { launchEngine, startEngine, type TestEngine } from '../helpers/engine.js';
import { freePort } from '../helpers/spawn.js';

let engine: TestEngine;
let db: Awaited<ReturnType<typeof openDatabase>>['dataSource'];
const tokens: Record<string, string> = {};
const ids = { teacher: 0, groupA: 0, groupB: 0, camA: 0, camB: 0, obama: 0, melania: 0 };
let deviceKey = '';
const consent = { given_by: 'Jane Doe', relationship: 'mother', method: 'paper', policy_version: '2026-09' };

async function call(path: string, init: RequestInit & { token?: string; json?: unknown; key?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.key) headers.set('x-api-key', init.key);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  const res = await fetch(`${engine.url}${path}`, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
  const text = await res.text();
  let body: any = text;
  try { body = JSON.parse(text); } catch { /* keep the text */ }
  return { status: res.status, body };
}
const b64 = (rel: string) => face(rel).toString('base64');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const port = () => Number(new URL(engine.url).port);
const wsUrl = (path: string) => engine.url.replace('http', 'ws') + path;
const jwtSettings = () => { const c = loadConfig(engine.env); return { secret: c.JWT_SECRET, issuer: c.JWT_ISSUER }; };
const tokenFor = (userId: number, username: string, role: Role, ttl: number) => signToken(jwtSettings(), { sub: String(userId), username, role }, 'engine', ttl);

/** Opens a /ws socket and collects its messages; resolves once open. */
async function listen(token: string) {
  const ws = new WebSocket(wsUrl(`/ws?token=${token}`));
  const messages: any[] = [];
  ws.on('message', (m) => messages.push(JSON.parse(m.toString())));
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  await once(ws, 'open');
  return { ws, messages, closed };
}

function readHead(sock: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => { buf += d.toString('latin1'); if (buf.includes('\r\n\r\n')) { sock.off('data', onData); resolve(buf); } };
    sock.on('data', onData);
    sock.once('error', reject);
  });
}

async function rawSocket(): Promise<net.Socket> {
  const sock = net.connect(port(), '127.0.0.1');
  await once(sock, 'connect');
  return sock;
}

/** Upgrades `path` by hand, then sends the start of a 60 kB frame and drops the connection mid-message. */
async function closeMidMessage(path: string): Promise<void> {
  const sock = await rawSocket();
  sock.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  const head = await readHead(sock);
  assert.match(head, /^HTTP\/1\.1 101/, `${path}: ${head}`);
  for (const opcode of [0x82, 0x81]) {
    sock.write(Buffer.concat([Buffer.from([opcode, 0x80 | 126, 0xea, 0x60, 1, 2, 3, 4]), crypto.randomBytes(100)]));
    await sleep(20);
  }
  sock.destroy();
}

describe('engine security', { skip: !facesAvailable && `face fixtures missing at ${FACES_DIR}` }, () => {
  before(async () => {
    engine = await startEngine({ LOGIN_MAX_ATTEMPTS: '3', AUTH_RECHECK_SECONDS: '1', LAPTOP_IDLE_SECONDS: '2', LAPTOP_MAX_PER_USER: '2', CAMERA_MAX_CONCURRENT: '1', SCHOOL_TIMEZONE: 'UTC' });
    for (const role of ['admin', 'staff', 'teacher'] as const) tokens[role] = await engine.token(role);
    db = (await openDatabase(loadConfig(engine.env), { migrate: false })).dataSource;
    ids.teacher = (await db.getRepository(User).findOneByOrFail({ username: 'teacher' })).id;
    ids.groupA = (await db.getRepository(ClassGroup).save({ name: '7A', teacherId: ids.teacher })).id;
    ids.groupB = (await db.getRepository(ClassGroup).save({ name: '8B', teacherId: null })).id;
    ids.camA = (await db.getRepository(Camera).save({ name: 'Room 101', source: 'file:/nonexistent/room101.mp4', room: '101', enabled: false })).id;
    ids.camB = (await db.getRepository(Camera).save({ name: 'Room 202', source: 'rtsp://u:secret@10.0.0.2/s', room: '202', enabled: false })).id;
    // A timetable slot that names the teacher's room (one minute after midnight: never "in session" while the test runs).
    await db.getRepository(ClassSession).save({ classGroupId: ids.groupA, cameraId: ids.camA, weekday: 7, startTime: '00:00', endTime: '00:01', lateAfterMinutes: 5, subject: 'Maths' });
    const enroll = async (name: string, roll: string, group: number, photos: string[]) => {
      const r = await call('/api/v1/enroll', { method: 'POST', token: tokens.staff, json: { name, roll_number: roll, class_group_id: group, consent, photos: photos.map(b64) } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.student_id as number;
    };
    ids.obama = await enroll('Barack Obama', 'B-1', ids.groupB, ['fr_obama/obama.jpg', 'fr_obama/obama2.jpg', 'fr_obama/obama3.jpg']);
    ids.melania = await enroll('Melania K', 'A-1', ids.groupA, ['sun_Melania/Melania-1.jpg', 'sun_Melania/Melania-2.jpg', 'sun_Melania/Melania-3.jpg']);
    deviceKey = (await createApiKey(db, { name: 'door tablet', scope: 'device', cameraId: ids.camA }, { id: null, name: 'test' })).key;
  });
  after(async () => { await db?.destroy(); await engine?.stop(); });

  describe('/api/v1/recognize', () => {
    test('a teacher may not identify or mark from an uploaded photo', async () => {
      for (const q of ['', '?mark=true', `?mark=true&camera_id=${ids.camA}`]) {
        const r = await call(`/api/v1/recognize${q}`, { method: 'POST', token: tokens.teacher, json: { image: b64('fr_obama/obama1.jpg') } });
        assert.equal(r.status, 403, q);
      }
      assert.equal(await db.getRepository(AttendanceLog).countBy({ studentId: ids.obama }), 0);
    });

    test('camera_id of abc, NaN, 1e400 or -1 is a 400, in the query, a form field or JSON', async () => {
      for (const bad of ['abc', 'NaN', '1e400', '-1', '1.5', '99999999999']) {
        const form = new FormData();
        form.append('image', new Blob([face('fr_obama/obama1.jpg')], { type: 'image/jpeg' }), 'x.jpg');
        form.append('camera_id', bad);
        const viaForm = await call('/api/v1/recognize?mark=true', { method: 'POST', token: tokens.staff, body: form });
        assert.equal(viaForm.status, 400, `form ${bad}: ${JSON.stringify(viaForm.body)}`);
        assert.equal(typeof viaForm.body.message, 'string');
        assert.equal((await call(`/api/v1/recognize?mark=true&camera_id=${bad}`, { method: 'POST', token: tokens.staff, json: { image: 'aGk=' } })).status, 400, `query ${bad}`);
        assert.equal((await call('/api/v1/recognize?mark=true', { method: 'POST', token: tokens.staff, json: { image: 'aGk=', camera_id: bad } })).status, 400, `json ${bad}`);
      }
    });

    test('a device key is bound to its camera, sees no runner-up candidates, and its marks say `api` and are audited', async () => {
      const moved = await call(`/api/v1/recognize?mark=true&camera_id=${ids.camB}`, { method: 'POST', key: deviceKey, json: { image: b64('fr_obama/obama1.jpg') } });
      assert.equal(moved.status, 403, JSON.stringify(moved.body));
      const r = await call('/api/v1/recognize?mark=true', { method: 'POST', key: deviceKey, json: { image: b64('fr_obama/obama1.jpg') } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.faces.map((f: { candidates: unknown[] }) => f.candidates), [[]]);
      assert.equal(r.body.marks[0]?.marked, true, JSON.stringify(r.body.marks));
      const mark = await db.getRepository(AttendanceLog).findOneByOrFail({ studentId: ids.obama });
      assert.equal(mark.source, 'api', 'one uploaded frame is not a tracked camera sighting');
      assert.equal(mark.cameraId, ids.camA);
      const audit = await db.getRepository(AuditLog).findOneByOrFail({ action: 'recognize.marked' });
      assert.equal(audit.actorName, 'device:door tablet');
    });

    test('staff identification is audited', async () => {
      const r = await call('/api/v1/recognize', { method: 'POST', token: tokens.staff, json: { image: b64('fr_obama/obama1.jpg') } });
      assert.equal(r.status, 200);
      const audit = await db.getRepository(AuditLog).findOneByOrFail({ action: 'recognize.identified', actorName: 'staff' });
      assert.deepEqual(JSON.parse(audit.details!).matched, [ids.obama]);
    });
  });

  describe('/ws and MJPEG', () => {
    test('a teacher\'s socket gets only their classes\' marks and cameras; staff get all', async () => {
      const teacher = await listen(tokens.teacher);
      const staff = await listen(tokens.staff);
      // Melania (the teacher's class A), by staff without a camera.
      const a = await call('/api/v1/recognize?mark=true', { method: 'POST', token: tokens.staff, json: { image: b64('sun_Melania/Melania-5.jpg') } });
      assert.equal(a.body.marks[0]?.marked, true, JSON.stringify(a.body));
      // Obama (class B) in a lesson in room 202, now: not the teacher's student, not the teacher's camera.
      const iso = ((new Date().getUTCDay() + 6) % 7) + 1;
      await db.getRepository(ClassSession).save({ classGroupId: ids.groupB, cameraId: ids.camB, weekday: iso, startTime: '00:00', endTime: '23:59', lateAfterMinutes: 1439, subject: 'History' });
      const b = await call(`/api/v1/recognize?mark=true&camera_id=${ids.camB}`, { method: 'POST', token: tokens.staff, json: { image: b64('fr_obama/obama1.jpg') } });
      assert.equal(b.body.marks[0]?.marked, true, JSON.stringify(b.body));
      await sleep(500);
      const marksOf = (m: any[]) => m.filter((x) => x.topic === 'attendance').map((x) => x.event.studentId);
      assert.deepEqual(marksOf(teacher.messages), [ids.melania], 'the teacher gets their own student only');
      assert.deepEqual(marksOf(staff.messages), [ids.melania, ids.obama]);
      assert.ok(!teacher.messages.some((m) => String(m.topic).startsWith(`camera/${ids.camB}/`)), 'nothing of another room');
      teacher.ws.close();
      staff.ws.close();
    });

    test('a socket closes when its token expires, and when its user is deactivated', async () => {
      const short = await listen(await tokenFor(ids.teacher, 'teacher', 'teacher', 2));
      const code = await Promise.race([short.closed, sleep(6000).then(() => -1)]);
      assert.equal(code, 4401, 'closed at expiry');
      const hash = await hashPassword('another long password');
      const t2 = await db.getRepository(User).save({ username: 'teacher2', displayName: 'T2', role: 'teacher', passwordHash: hash, active: true });
      const live = await listen(await tokenFor(t2.id, 'teacher2', 'teacher', 3600));
      await db.getRepository(User).update(t2.id, { active: false });
      assert.equal(await Promise.race([live.closed, sleep(6000).then(() => -1)]), 4401, 'closed after deactivation');
      // A laptop-camera socket too: closed at expiry, and its session ends with it.
      const started = await call('/api/v1/detection/laptop-camera/start', { method: 'POST', token: tokens.staff, json: {} });
      const lws = new WebSocket(wsUrl(`${started.body.ws_path}&token=${await tokenFor((await db.getRepository(User).findOneByOrFail({ username: 'staff' })).id, 'staff', 'staff', 2)}`));
      const lclosed = new Promise<number>((r) => lws.on('close', (c) => r(c)));
      assert.equal(await Promise.race([lclosed, sleep(6000).then(() => -1)]), 4401, 'laptop socket closed at expiry');
      // And the same token is refused for HTTP and a new socket.
      assert.equal((await call('/api/v1/detection/status', { token: await tokenFor(t2.id, 'teacher2', 'teacher', 3600) })).status, 401);
      // A token claiming a role the user no longer has is refused too.
      assert.equal((await call('/api/v1/detection/status', { token: await tokenFor(ids.teacher, 'teacher', 'admin', 3600) })).status, 401);
    });

    test('topics per socket are bounded', async () => {
      const many = Array.from({ length: 100 }, (_, i) => `camera/${i + 1}/status`).join(',');
      const refused = new WebSocket(wsUrl(`/ws?token=${tokens.staff}&topics=${many}`));
      const status = await new Promise<number>((r) => { refused.on('unexpected-response', (_req, res) => r(res.statusCode ?? 0)); refused.on('open', () => r(101)); });
      assert.equal(status, 401);
      const s = await listen(tokens.staff);
      s.ws.send(JSON.stringify({ subscribe: Array.from({ length: 200 }, (_, i) => `camera/${i + 1}/*`) }));
      await sleep(300);
      assert.ok(s.messages.some((m) => m.error === 'too_many_topics'));
      s.ws.close();
    });

    test('an MJPEG stream ends when its token expires', async () => {
      const res = await fetch(`${engine.url}/stream/${ids.camA}?token=${await tokenFor(ids.teacher, 'teacher', 'teacher', 2)}`);
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      const ended = (async () => { for (;;) if ((await reader.read()).done) return true; })();
      assert.equal(await Promise.race([ended, sleep(6000).then(() => false)]), true, 'stream closed at expiry');
      const other = await fetch(`${engine.url}/stream/${ids.camB}?token=${tokens.teacher}`);
      assert.equal(other.status, 403, 'not the teacher\'s room');
      await other.arrayBuffer();
    });
  });

  describe('laptop-camera sessions', () => {
    test('capped per user, counted apart from cameras, ended on socket close and on idle', async () => {
      const start = () => call('/api/v1/detection/laptop-camera/start', { method: 'POST', token: tokens.teacher, json: {} });
      const first = await start();
      const second = await start();
      assert.equal(first.status, 201);
      assert.equal(second.status, 201);
      const third = await start();
      assert.equal(third.status, 429, JSON.stringify(third.body));
      // CAMERA_MAX_CONCURRENT is 1 here: the laptops do not take the classroom camera's slot.
      const cam = await call('/api/v1/detection/start', { method: 'POST', token: tokens.staff, json: { camera_id: ids.camB } });
      assert.equal(cam.status, 200, JSON.stringify(cam.body));
      await call('/api/v1/detection/stop', { method: 'POST', token: tokens.staff, json: { camera_id: ids.camB } });
      // The first session's socket opens and closes: the session ends with it.
      const ws = new WebSocket(wsUrl(`${first.body.ws_path}&token=${tokens.teacher}`));
      await once(ws, 'open');
      ws.close();
      const sessions = async () => ((await call('/api/v1/detection/status', { token: tokens.teacher })).body.laptop_sessions as Array<{ session: string }>).map((s) => s.session);
      await sleep(500);
      assert.ok(!(await sessions()).includes(first.body.session), 'ended on close');
      // The second never connected: it ends on idle (LAPTOP_IDLE_SECONDS=2).
      const deadline = Date.now() + 8000;
      while ((await sessions()).includes(second.body.session) && Date.now() < deadline) await sleep(250);
      assert.deepEqual(await sessions(), [], 'ended when idle');
      assert.equal((await start()).status, 201, 'a slot is free again');
    });
  });

  describe('transport', () => {
    test('an anonymous upload is answered 401 and the connection closed before its body is read', async () => {
      const sock = await rawSocket();
      sock.write('POST /api/v1/recognize HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 20000000\r\n\r\n');
      sock.write(Buffer.alloc(4096, 1));
      assert.match(await readHead(sock), /^HTTP\/1\.1 401/);
      const closed = new Promise<boolean>((r) => { sock.once('close', () => r(true)); sock.once('end', () => r(true)); });
      assert.equal(await Promise.race([closed, sleep(5000).then(() => false)]), true, 'the server closed the connection');
      sock.destroy();
    });

    test('an aborted upload does not leave the in-flight count stuck', async () => {
      const sock = await rawSocket();
      sock.write(`POST /api/v1/recognize HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tokens.staff}\r\nContent-Type: image/jpeg\r\nContent-Length: 1000000\r\n\r\n`);
      sock.write(Buffer.alloc(100_000, 1));
      await sleep(300);
      sock.destroy();
      let inFlight = -1;
      for (let i = 0; i < 20; i++) {
        await sleep(100);
        const m = await call('/metrics', { token: tokens.admin });
        inFlight = Number(/^engine_http_in_flight (\d+)/m.exec(String(m.body))?.[1]);
        if (inFlight === 1) break; // the /metrics request itself
      }
      assert.equal(inFlight, 1);
    });

    test('closing every WebSocket mid-message leaves the engine serving', async () => {
      const laptop = await call('/api/v1/detection/laptop-camera/start', { method: 'POST', token: tokens.admin, json: {} });
      const live = await call('/api/v1/liveness/session', { method: 'POST', token: tokens.staff, json: { student_id: ids.melania } });
      assert.equal(live.status, 201, JSON.stringify(live.body));
      for (const path of [`/ws?token=${tokens.staff}`, `${laptop.body.ws_path}&token=${tokens.admin}`, `/ws/liveness?session=${live.body.session_id}&token=${tokens.staff}`]) {
        await closeMidMessage(path);
      }
      await sleep(300);
      assert.equal(engine.proc.child.exitCode, null, 'engine still running');
      assert.equal((await call('/health')).status, 200);
    });
  });

  describe('login throttling', () => {
    test('200 parallel wrong passwords: only the limit reach the hash; a second engine shares the count', async () => {
      const before = await db.getRepository(AuditLog).countBy({ action: 'auth.login_failed' });
      const statuses = await Promise.all(Array.from({ length: 200 }, () => call('/api/v1/auth/login', { method: 'POST', json: { username: 'staff', password: 'wrong password' } }).then((r) => r.status)));
      assert.equal(statuses.filter((s) => s === 401).length, 3, statuses.join(','));
      assert.equal(statuses.filter((s) => s === 429).length, 197);
      assert.equal(await db.getRepository(AuditLog).countBy({ action: 'auth.login_failed' }) - before, 3);
      const second = await launchEngine({ ...engine.env, ENGINE_PORT: String(await freePort()) });
      try {
        const res = await fetch(`${second.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'staff', password: 'correct horse battery staple' }) });
        assert.equal(res.status, 429, 'the other engine knows about the guesses');
        assert.ok(Number(res.headers.get('retry-after')) > 0);
        // Another account at the same address is not locked out.
        assert.equal((await fetch(`${second.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'correct horse battery staple' }) })).status, 200);
      } finally {
        await second.stop();
      }
    });
  });
});
