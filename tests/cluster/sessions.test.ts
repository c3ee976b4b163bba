// Sessions any engine can serve: two real engine processes on one database and one Redis, a liveness
// registration whose requests alternate between them (REST), one created on the first and streamed to the
// second (WebSocket), and a laptop-camera session started on one and streamed to the other. Real models and
// faces, as in tests/liveness/liveness-api.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { LivenessSession, loadConfig, openDatabase } from '@attendance/shared';
import { launchEngine, prepareDatabase, type TestEngine } from '../helpers/engine.js';
import { face, facesAvailable, FACES_DIR } from '../helpers/faces.js';
import { PERSON_A, b64, createStudent } from '../helpers/liveness-fixtures.js';
import { freePort } from '../helpers/spawn.js';

let a: TestEngine;
let b: TestEngine;
/** Registered by the first test; the second registers more poses of the same face (the only turning face at hand). */
let studentId = 0;

async function call(engine: TestEngine, path: string, json?: unknown) {
  const res = await fetch(`${engine.url}${path}`, {
    method: json === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${await engine.token('staff')}`, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: res.status, body: await res.json() as any };
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const laptopIds = async (engine: TestEngine) => ((await call(engine, '/api/v1/detection/status')).body.laptop_sessions as Array<{ session: string }>).map((s) => s.session);

describe('sessions any engine can serve (two engines)', { skip: !facesAvailable && `face fixtures missing at ${FACES_DIR}`, timeout: 300_000 }, () => {
  before(async () => {
    const env = await prepareDatabase({ ENGINE_PORT: String(await freePort()), VISION_WORKERS: '1' });
    a = await launchEngine(env);
    b = await launchEngine({ ...env, ENGINE_PORT: String(await freePort()) });
  });
  after(async () => { await Promise.all([a?.stop(), b?.stop()]); });

  test('a liveness registration whose requests alternate between engines passes and registers once', async () => {
    studentId = await createStudent(a.env, 'Dong Xujiong', 'S-001');
    const s = await call(a, '/api/v1/liveness/session', { student_id: studentId });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    const id = s.body.session_id;
    const steps = [[b, 'center', PERSON_A.center], [a, 'left', PERSON_A.left], [b, 'right', PERSON_A.right]] as const;
    const out = [];
    for (const [engine, position, file] of steps) {
      const r = await call(engine, '/api/v1/liveness/detect', { session_id: id, position, image: b64(file) });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      out.push(r.body);
    }
    assert.deepEqual(out.map((o) => [o.accepted, o.steps_done.length]), [[true, 1], [true, 2], [true, 3]], JSON.stringify(out));
    assert.equal((await call(a, '/api/v1/liveness/verify', { session_id: id })).body.status, 'passed');

    const reg = await call(b, '/api/v1/liveness/register-student', { session_id: id });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    assert.deepEqual([reg.body.student_id, reg.body.templates, reg.body.poses], [studentId, 3, ['center', 'left', 'right']]);
    // Single use on every engine.
    assert.equal((await call(a, '/api/v1/liveness/register-student', { session_id: id })).status, 409);
    assert.equal((await call(b, '/api/v1/liveness/detect', { session_id: id, image: b64(PERSON_A.center) })).status, 409);
    assert.equal((await call(a, '/api/v1/liveness/verify', { session_id: id })).body.status, 'passed');

    const { dataSource } = await openDatabase(loadConfig(a.env), { migrate: false });
    try {
      const row = await dataSource.getRepository(LivenessSession).findOneByOrFail({ id });
      assert.deepEqual([row.status, row.stepsDone, row.completedAt !== null], ['passed', 'center,left,right', true]);
    } finally {
      await dataSource.destroy();
    }
  });

  test('a session created on one engine streams over the WebSocket of the other', async () => {
    assert.ok(studentId, 'the first test registered the student');
    const id = (await call(a, '/api/v1/liveness/session', { student_id: studentId })).body.session_id;
    const ws = new WebSocket(`${b.url.replace('http', 'ws')}/ws/liveness?session=${id}`, ['bearer', await b.token('staff')]);
    const frames = [PERSON_A.center, PERSON_A.left, PERSON_A.right];
    const result = await new Promise<any>((resolve, reject) => {
      let i = 0;
      // After the last frame the engine registers and sends the result by itself.
      const next = () => { if (i < frames.length) ws.send(face(frames[i++])); };
      ws.on('message', (m) => {
        const msg = JSON.parse(m.toString());
        if (msg.type === 'state' || msg.type === 'frame') next();
        else if (msg.type === 'result') resolve(msg);
      });
      ws.on('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.on('error', reject);
    });
    ws.close();
    assert.deepEqual([result.status, result.student_id, result.templates], ['passed', studentId, 3], JSON.stringify(result));
  });

  test('a laptop-camera session started on one engine streams to the other, which runs it; a stop sent to the first ends it', async () => {
    const started = await call(a, '/api/v1/detection/laptop-camera/start', {});
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const id = started.body.session;
    const ws = new WebSocket(`${b.url.replace('http', 'ws')}${started.body.ws_path}`, ['bearer', await b.token('staff')]);
    const result = await new Promise<any>((resolve, reject) => {
      ws.on('open', () => ws.send(face(PERSON_A.center)));
      ws.on('message', (m) => {
        const msg = JSON.parse(m.toString());
        if (msg.type === 'result') resolve(msg);
        else ws.send(face(PERSON_A.center));
      });
      ws.on('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.on('error', reject);
    });
    assert.equal(result.faces.length, 1, JSON.stringify(result));
    assert.ok((await laptopIds(b)).includes(id), 'runs on the engine the socket reached');
    await until('the first engine to drop its copy', async () => !(await laptopIds(a)).includes(id));

    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    const stopped = await call(a, '/api/v1/detection/laptop-camera/stop', { session: id });
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
    assert.equal(stopped.body.state, 'stopped');
    await until('the session to end where it runs', async () => !(await laptopIds(b)).includes(id));
    ws.send(face(PERSON_A.center)); // the next frame finds the session ended
    assert.equal(await closed, 4404);
    assert.equal((await call(b, '/api/v1/detection/laptop-camera/stop', { session: id })).status, 200, 'stopping it again answers');
  });
});
