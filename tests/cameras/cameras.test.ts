// Camera detection end to end: a real RTSP server (GStreamer) serving an mp4 slideshow built with ffmpeg,
// a real engine process, real models and faces; a file source and the laptop-camera WebSocket too.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DataSource } from 'typeorm';
import { WebSocket } from 'ws';
import { AttendanceLog, AuditLog, Camera, ClassGroup, ClassSession, DetectionLog, StudentPresence, User, loadConfig, openDatabase } from '@attendance/shared';
import { face, facesAvailable, FACES_DIR } from '../helpers/faces.js';
import { launchEngine, startEngine, type TestEngine } from '../helpers/engine.js';
import { imageTraces } from '../helpers/image-traces.js';
import { makeSlideshow, startRtsp, type RtspServer } from '../helpers/rtsp.js';

const consent = { given_by: 'Jane Doe', relationship: 'mother', method: 'paper', policy_version: '2026-09' };
// Two enrolled people (other photos than the ones shown) and a stranger; all score high on anti-spoofing.
const SHOWN = ['fr_obama/obama-720p_sameshot.jpg', 'sun_Trump/Trump-4.jpg', 'deepface_p02/img53.jpg', 'fr_obama/obama_small.jpg', 'sun_Trump/Trump-5.jpg', 'deepface_p02/img56.jpg'];

let engine: TestEngine;
let rtsp: RtspServer;
let db: DataSource;
let admin: string;
let events: Array<{ topic: string; event: any }> = [];
let ws: WebSocket;
const ids = { obama: 0, p02: 0, rtspCam: 0, fileCam: 0, otherCam: 0 };

async function call(path: string, init: { method?: string; token?: string; json?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${engine.url}${path}`, { method: init.method ?? 'GET', headers, body: init.json !== undefined ? JSON.stringify(init.json) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(events.slice(-8))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const statusEvent = (cameraId: number, state: string, since = 0) =>
  events.slice(since).find((e) => e.topic === `camera/${cameraId}/status` && e.event.state === state);
const marksOf = (cameraId: number | null, source: string) => db.getRepository(AttendanceLog).find({ where: { cameraId: cameraId ?? undefined, source: source as 'camera' } });

describe('classroom cameras', { skip: !facesAvailable && `face fixtures missing at ${FACES_DIR}` }, () => {
  before(async () => {
    const video = await makeSlideshow(SHOWN);
    rtsp = await startRtsp(video);
    engine = await startEngine({ CAMERA_LOG_INTERVAL_SECONDS: '2', CAMERA_WATCHDOG_SECONDS: '8', MJPEG_FPS: '4' });
    db = (await openDatabase(loadConfig(engine.env), { migrate: false })).dataSource;
    admin = await engine.token('admin');
    const enroll = async (name: string, roll: string, photos: string[]) => {
      const r = await call('/api/v1/enroll', { method: 'POST', token: admin, json: { name, roll_number: roll, consent, photos: photos.map((p) => face(p).toString('base64')) } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.student_id as number;
    };
    ids.obama = await enroll('Barack Obama', 'C-1', ['fr_obama/obama.jpg', 'fr_obama/obama2.jpg']);
    ids.p02 = await enroll('Person Two', 'C-2', ['deepface_p02/img12.jpg', 'deepface_p02/img3.jpg']);
    const cams = db.getRepository(Camera);
    ids.rtspCam = (await cams.insert({ name: 'rtsp', source: rtsp.url, room: 'R1' })).identifiers[0].id;
    ids.fileCam = (await cams.insert({ name: 'file', source: `file:${video}`, room: 'R2' })).identifiers[0].id;
    ids.otherCam = (await cams.insert({ name: 'other', source: 'usb:9', room: 'R3' })).identifiers[0].id;
    ws = new WebSocket(`${engine.url.replace('http', 'ws')}/ws?token=${admin}&topics=camera/*,attendance,logs`);
    ws.on('message', (m) => events.push(JSON.parse(m.toString())));
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  });
  after(async () => {
    ws?.close();
    await engine?.stop();
    await rtsp?.stop();
    await db?.destroy();
  });

  test('RTSP camera: running, both enrolled people marked exactly once, the stranger never; status and MJPEG preview', async () => {
    const started = await call('/api/v1/detection/start', { method: 'POST', token: admin, json: { camera_id: ids.rtspCam } });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    await until('running', () => statusEvent(ids.rtspCam, 'running'), 20_000);
    const marked = await until('both marks', () => {
      const who = new Set(events.filter((e) => e.topic === 'attendance' && e.event.cameraId === ids.rtspCam).map((e) => e.event.studentId));
      return who.has(ids.obama) && who.has(ids.p02) ? who : undefined;
    }, 45_000);
    assert.deepEqual([...marked].sort(), [ids.obama, ids.p02].sort());
    const rows = await marksOf(ids.rtspCam, 'camera');
    assert.deepEqual(rows.map((r) => r.studentId).sort(), [ids.obama, ids.p02].sort(), 'one row each, nobody else');
    assert.ok(rows.every((r) => r.confidence! > 0.3 && r.markedAt instanceof Date && r.source === 'camera'));
    assert.equal((await db.getRepository(Camera).findOneByOrFail({ id: ids.rtspCam })).status, 'running');

    const status = await call('/api/v1/detection/status', { token: admin });
    const cam = status.body.cameras.find((c: any) => c.camera_id === ids.rtspCam);
    assert.equal(cam.state, 'running');
    assert.ok(cam.fps > 0 && cam.marks === 2, JSON.stringify(cam));

    // MJPEG: refused without a token; with ?token= it is multipart JPEG.
    assert.equal((await fetch(`${engine.url}/stream/${ids.rtspCam}`)).status, 401);
    const ac = new AbortController();
    const res = await fetch(`${engine.url}/stream/${ids.rtspCam}?token=${admin}`, { signal: ac.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^multipart\/x-mixed-replace; boundary=frame/);
    const reader = res.body!.getReader();
    let buf = Buffer.alloc(0);
    while (buf.indexOf(Buffer.from([0xff, 0xd9])) < 0 || buf.length < 2000) buf = Buffer.concat([buf, Buffer.from((await reader.read()).value!)]);
    ac.abort();
    const text = buf.toString('latin1');
    assert.match(text, /^--frame\r\nContent-Type: image\/jpeg\r\nContent-Length: \d+\r\n\r\n\xff\xd8/);
  });

  test('the RTSP server dies: reconnecting; it comes back: running again within seconds, no duplicate marks', async () => {
    const mark = events.length;
    await rtsp.stop();
    await until('reconnecting', () => statusEvent(ids.rtspCam, 'reconnecting', mark), 15_000);
    const back = Date.now();
    await rtsp.restart();
    await until('running again', () => statusEvent(ids.rtspCam, 'running', mark), 20_000);
    assert.ok(Date.now() - back < 15_000);
    const seen = events.length;
    await until('frames analysed again', () => events.slice(seen).some((e) => e.topic === `camera/${ids.rtspCam}/detections`), 15_000);
    assert.equal((await marksOf(ids.rtspCam, 'camera')).length, 2);
    assert.equal((await call('/health')).status, 200);
    const stopped = await call('/api/v1/detection/stop', { method: 'POST', token: admin, json: { camera_id: ids.rtspCam } });
    assert.equal(stopped.body.camera.state, 'stopped');
    assert.equal((await db.getRepository(Camera).findOneByOrFail({ id: ids.rtspCam })).status, 'stopped');
    assert.ok(await db.getRepository(DetectionLog).countBy({ cameraId: ids.rtspCam }) > 0, 'detection_logs rows');
    assert.ok(events.some((e) => e.topic === 'logs' && e.event.cameraId === ids.rtspCam), 'logs topic');
    assert.equal(await db.getRepository(StudentPresence).countBy({ cameraId: ids.rtspCam }), 2, 'presence per student');
  });

  test('a file source marks the same way; a teacher may not start a camera outside their rooms', async () => {
    await db.getRepository(AttendanceLog).clear();
    const teacher = await engine.token('teacher');
    assert.equal((await call('/api/v1/detection/start', { method: 'POST', token: teacher, json: { camera_id: ids.fileCam } })).status, 403);
    assert.deepEqual((await call('/api/v1/detection/status', { token: teacher })).body.cameras, []);
    assert.equal((await call('/api/v1/detection/start', { method: 'POST', token: admin, json: { camera_id: ids.fileCam } })).status, 200);
    await until('file marks', async () => ((await marksOf(ids.fileCam, 'camera')).length === 2 ? true : undefined), 45_000);
    await call('/api/v1/detection/stop', { method: 'POST', token: admin, json: { camera_id: ids.fileCam } });
    assert.deepEqual((await marksOf(ids.fileCam, 'camera')).map((r) => r.studentId).sort(), [ids.obama, ids.p02].sort());
  });

  test('a teacher drives only the cameras of rooms where a class they teach is scheduled; a broken camera harms no one', async () => {
    const teacherId = (await db.getRepository(User).findOneByOrFail({ username: 'teacher' })).id;
    const group = (await db.getRepository(ClassGroup).insert({ name: 'T-1', teacherId })).identifiers[0].id as number;
    await db.getRepository(ClassSession).insert({ classGroupId: group, cameraId: ids.otherCam, weekday: 1, startTime: '08:00', endTime: '09:00', lateAfterMinutes: 5 });
    const sameRoom = (await db.getRepository(Camera).insert({ name: 'other-2', source: 'usb:8', room: 'R3' })).identifiers[0].id as number;
    const teacher = await engine.token('teacher');
    const visible = (await call('/api/v1/detection/status', { token: teacher })).body.cameras.map((c: any) => c.camera_id);
    assert.deepEqual(visible, [ids.otherCam, sameRoom]);
    assert.equal((await call('/api/v1/detection/start', { method: 'POST', token: teacher, json: { camera_id: ids.rtspCam } })).status, 403);
    // usb:9 does not exist here: the camera keeps retrying (reconnecting) while the server stays healthy.
    assert.equal((await call('/api/v1/detection/start', { method: 'POST', token: teacher, json: { camera_id: ids.otherCam } })).status, 200);
    await until('retrying', () => statusEvent(ids.otherCam, 'reconnecting'), 15_000);
    assert.equal((await call('/health')).status, 200);
    assert.equal((await call('/api/v1/detection/stop', { method: 'POST', token: teacher, json: { camera_id: ids.otherCam } })).body.camera.state, 'stopped');
  });

  test('laptop camera: JPEG frames over the WebSocket mark once, with source laptop', async () => {
    await db.getRepository(AttendanceLog).clear();
    const started = await call('/api/v1/detection/laptop-camera/start', { method: 'POST', token: admin, json: {} });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const refused = await new Promise<number>((resolve) => {
      const bad = new WebSocket(`${engine.url.replace('http', 'ws')}${started.body.ws_path}`);
      bad.on('unexpected-response', (_q, r) => resolve(r.statusCode ?? 0));
      bad.on('open', () => resolve(101));
    });
    assert.equal(refused, 401);
    const lws = new WebSocket(`${engine.url.replace('http', 'ws')}${started.body.ws_path}&token=${admin}`);
    const results: any[] = [];
    lws.on('message', (m) => results.push(JSON.parse(m.toString())));
    await new Promise((resolve, reject) => { lws.once('open', resolve); lws.once('error', reject); });
    for (const photo of ['fr_obama/obama-720p_sameshot.jpg', 'sun_Trump/Trump-4.jpg']) {
      const before = results.length;
      for (let i = 0; i < 6; i++) {
        lws.send(face(photo));
        const n = results.length;
        await until('a result', () => results.length > n, 10_000);
      }
      assert.ok(results.length > before);
    }
    lws.close();
    const stopped = await call('/api/v1/detection/laptop-camera/stop', { method: 'POST', token: admin, json: { session: started.body.session } });
    assert.equal(stopped.status, 200);
    const rows = await db.getRepository(AttendanceLog).find();
    assert.deepEqual(rows.map((r) => [r.studentId, r.source]), [[ids.obama, 'laptop']]);
    assert.ok(results.some((r) => r.faces?.some((f: any) => f.name === 'Barack Obama')));
    assert.ok(results.some((r) => r.faces?.some((f: any) => f.verdict === 'unknown')), 'the stranger is unknown');
  });

  test('cameras marked enabled start with the engine', async () => {
    await db.getRepository(AttendanceLog).clear();
    await db.getRepository(Camera).update(ids.fileCam, { enabled: true });
    ws.close();
    await engine.stop();
    engine = await launchEngine(engine.env);
    await until('file camera marks after restart', async () => ((await marksOf(ids.fileCam, 'camera')).length === 2 ? true : undefined), 45_000);
    assert.equal((await db.getRepository(Camera).findOneByOrFail({ id: ids.fileCam })).status, 'running');
  });

  test('every start and stop was audited once, and no frame or face image was written anywhere', async () => {
    const audited = await db.getRepository(AuditLog).find({ where: { entity: 'camera' }, order: { id: 'ASC' } });
    const started = audited.filter((a) => a.action === 'detection.started');
    // RTSP by admin, file by admin, the other camera by the teacher (refused starts are not audited).
    assert.deepEqual(started.map((a) => [a.entityId, a.actorName]), [[String(ids.rtspCam), 'admin'], [String(ids.fileCam), 'admin'], [String(ids.otherCam), 'teacher']]);
    assert.equal(audited.filter((a) => a.action === 'detection.stopped').length, 3);
    assert.deepEqual(audited.filter((a) => a.action.startsWith('detection.laptop')).map((a) => a.action), ['detection.laptop_started', 'detection.laptop_stopped']);
    assert.deepEqual(await imageTraces(engine.env.DATA_DIR!, db), []);
  });
});
