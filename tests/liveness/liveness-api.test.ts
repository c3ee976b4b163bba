// Liveness registration against a real engine process: REST and WebSocket, real models and faces.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { AuditLog, LivenessSession, loadConfig, openDatabase } from '@attendance/shared';
import { startEngine, type TestEngine } from '../helpers/engine.js';
import { face, facesAvailable, FACES_DIR } from '../helpers/faces.js';
import { PERSON_A, PERSON_B, b64, createStudent, livenessToken } from '../helpers/liveness-fixtures.js';

let engine: TestEngine;

async function call(path: string, token: string, json: unknown) {
  const res = await fetch(`${engine.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(json) });
  return { status: res.status, body: await res.json() as any };
}

/** Streams frames over the WebSocket, one per answer (as the modal does); resolves with the final result. */
async function stream(sessionId: string, token: string, frames: string[]): Promise<{ result: any; frames: any[] }> {
  const ws = new WebSocket(`${engine.url.replace('http', 'ws')}/ws/liveness?session=${sessionId}`, ['bearer', token]);
  const seen: any[] = [];
  return new Promise((resolve, reject) => {
    let i = 0;
    // Out of frames: the modal would be closed, which cancels the session.
    const next = () => ws.send(i < frames.length ? face(frames[i++]) : JSON.stringify({ type: 'cancel' }));
    ws.on('message', (m) => {
      const msg = JSON.parse(m.toString());
      if (msg.type === 'state') next();
      else if (msg.type === 'frame') { seen.push(msg); next(); }
      else if (msg.type === 'result') resolve({ result: msg, frames: seen });
    });
    ws.on('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.on('error', reject);
    ws.on('close', () => resolve({ result: null, frames: seen }));
  });
}

describe('liveness registration (engine)', { skip: !facesAvailable && `face fixtures missing at ${FACES_DIR}` }, () => {
  before(async () => { engine = await startEngine({ LIVENESS_MAX_SESSIONS_PER_STUDENT: '3' }); });
  after(async () => engine?.stop());

  test('WebSocket: a cut to another person fails the session; a still photo never passes the turns', async () => {
    const staff = await engine.token('staff');
    const studentId = await createStudent(engine.env, 'Cut', 'L-004');
    const token = await livenessToken(engine.env, studentId);
    const cut = (await call('/api/v1/liveness/session', staff, { student_id: studentId })).body.session_id;
    const r = await stream(cut, token, [PERSON_A.center, PERSON_A.center, PERSON_B.left, PERSON_A.left]);
    assert.deepEqual([r.result?.status, r.result?.failure], ['failed', 'identity_changed'], JSON.stringify(r));

    const still = (await call('/api/v1/liveness/session', staff, { student_id: studentId })).body.session_id;
    const s = await stream(still, token, Array(4).fill(PERSON_A.center));
    assert.deepEqual([s.result?.status, s.result?.failure], ['failed', 'cancelled']);
    assert.deepEqual(s.frames.map((f) => f.hint).slice(1), ['turn_left', 'turn_left', 'turn_left']);
    // The session cannot be reopened.
    await assert.rejects(stream(still, token, [PERSON_A.center]), /upgrade refused: 409/);
  });
  test('REST: center → left → right passes, registers three templates once, and recognize then names the student', async () => {
    const staff = await engine.token('staff');
    const studentId = await createStudent(engine.env, 'Dong Xujiong', 'L-001');
    const s = await call('/api/v1/liveness/session', staff, { student_id: studentId });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    assert.deepEqual([s.body.status, s.body.step], ['pending', 'center']);
    const id = s.body.session_id;
    const out = [];
    for (const [position, file] of [['center', PERSON_A.center], ['left', PERSON_A.left], ['right', PERSON_A.right]]) {
      const r = await call('/api/v1/liveness/detect', staff, { session_id: id, position, image: b64(file) });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      out.push(r.body);
    }
    assert.deepEqual(out.map((o) => o.accepted), [true, true, true], JSON.stringify(out));
    assert.equal(out[2].status, 'passed');
    assert.equal((await call('/api/v1/liveness/verify', staff, { session_id: id })).body.status, 'passed');

    const reg = await call('/api/v1/liveness/register-student', staff, { session_id: id });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    assert.deepEqual([reg.body.student_id, reg.body.templates, reg.body.poses], [studentId, 3, ['center', 'left', 'right']]);
    // Single use: neither a replayed frame nor a second registration is accepted.
    assert.equal((await call('/api/v1/liveness/register-student', staff, { session_id: id })).status, 409);
    assert.equal((await call('/api/v1/liveness/detect', staff, { session_id: id, image: b64(PERSON_A.center) })).status, 409);

    const rec = await call('/api/v1/recognize', staff, { image: b64(PERSON_A.other) });
    assert.equal(rec.body.faces[0].match?.student_id, studentId, JSON.stringify(rec.body.faces[0]));
    assert.equal(rec.body.marks?.length ?? 0, 0, 'registration marks no attendance');

    const { dataSource } = await openDatabase(loadConfig(engine.env), { migrate: false });
    try {
      const row = await dataSource.getRepository(LivenessSession).findOneByOrFail({ id });
      assert.deepEqual([row.status, row.stepsDone], ['passed', 'center,left,right']);
      const actions = (await dataSource.getRepository(AuditLog).findBy({ entityId: String(studentId) })).map((a) => a.action);
      for (const a of ['liveness.session_created', 'liveness.passed', 'enrollment.templates_added']) assert.ok(actions.includes(a), `${a} in ${actions}`);
    } finally {
      await dataSource.destroy();
    }
  });

  test('a face already registered to another student is refused at the first (straight) step, not after the turns', async () => {
    // Person A was registered to "Dong Xujiong" by the test above.
    const staff = await engine.token('staff');
    const studentId = await createStudent(engine.env, 'Second Account', 'L-005');
    const id = (await call('/api/v1/liveness/session', staff, { student_id: studentId })).body.session_id;
    const r = await call('/api/v1/liveness/detect', staff, { session_id: id, position: 'center', image: b64(PERSON_A.center) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body.status, r.body.failure, r.body.step], ['failed', 'duplicate', null], JSON.stringify(r.body));
    // The session is over: the turns are not asked for, and nothing can be registered from it.
    assert.equal((await call('/api/v1/liveness/detect', staff, { session_id: id, image: b64(PERSON_A.left) })).status, 409);
    assert.equal((await call('/api/v1/liveness/register-student', staff, { session_id: id })).status, 409);
    const { dataSource } = await openDatabase(loadConfig(engine.env), { migrate: false });
    try {
      const row = await dataSource.getRepository(LivenessSession).findOneByOrFail({ id });
      assert.deepEqual([row.status, row.failureReason], ['failed', 'duplicate']);
    } finally {
      await dataSource.destroy();
    }
  });

  test('a scoped token works for its own student only, and on no other route; sessions are limited per student', async () => {
    const mine = await createStudent(engine.env, 'Scoped', 'L-002');
    const other = await createStudent(engine.env, 'Other', 'L-003');
    const token = await livenessToken(engine.env, mine);
    assert.equal((await call('/api/v1/liveness/session', token, { student_id: other })).status, 403);
    assert.equal((await call('/api/v1/recognize', token, { image: b64(PERSON_A.other) })).status, 403);
    const teacher = await engine.token('teacher');
    assert.equal((await call('/api/v1/liveness/session', teacher, { student_id: mine })).status, 403);
    for (let i = 0; i < 3; i++) assert.equal((await call('/api/v1/liveness/session', token, { student_id: mine })).status, 201);
    const limited = await call('/api/v1/liveness/session', token, { student_id: mine });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error, 'rate_limited');
  });
});
