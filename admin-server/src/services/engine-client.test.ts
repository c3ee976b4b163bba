import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startJsonServer } from '../../../tests/helpers/admin-json-server.js';
import { EngineClient, EngineError, EngineUnavailableError } from './engine-client.js';

let fake: Awaited<ReturnType<typeof startJsonServer>>;

before(async () => {
  fake = await startJsonServer(({ url, body }) => {
    if (url === '/health') return [200, { status: 'ok' }];
    if (url === '/api/v1/enroll') {
      const { student_id: id } = JSON.parse(body) as { student_id: number };
      if (id === 2) return [409, { error: 'conflict', message: 'face already enrolled as student 1', details: { studentId: 1 } }];
      return [201, { student_id: id, templates: 1, rejected: [{ index: 1, reasons: ['no_face'] }] }];
    }
    if (url === '/api/v1/detection/status') return [200, { cameras: [{ camera_id: 3, state: 'running', detail: null }] }];
    return [404, { error: 'not_found', message: 'no route' }];
  });
});
after(() => fake.close());

test('sends the bearer token and JSON, and returns typed results', async () => {
  const engine = new EngineClient({ baseUrl: `${fake.url}/` });
  assert.equal(await engine.health(), true);
  const r = await engine.enroll('tok', 7, ['aGk=', 'aGk=']);
  assert.deepEqual(r, { student_id: 7, templates: 1, rejected: [{ index: 1, reasons: ['no_face'] }] });
  const last = fake.calls.at(-1)!;
  assert.equal(last.auth, 'Bearer tok');
  assert.deepEqual(JSON.parse(last.body), { student_id: 7, photos: ['aGk=', 'aGk='] });
  assert.deepEqual((await engine.detectionStatus('tok')).cameras[0].state, 'running');
});

test('engine errors keep their status, code and details', async () => {
  const engine = new EngineClient({ baseUrl: fake.url });
  const err = await engine.enroll('tok', 2, ['aGk=']).catch((e: unknown) => e);
  assert.ok(err instanceof EngineError, 'an EngineError');
  assert.equal(err.status, 409);
  assert.equal(err.code, 'engine_conflict');
  assert.deepEqual(err.details, { studentId: 1 });
});

test('an unreachable engine is a clear EngineUnavailableError', async () => {
  const engine = new EngineClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 2000 });
  assert.equal(await engine.health(), false);
  await assert.rejects(engine.startDetection('tok', 1), (e: unknown) => e instanceof EngineUnavailableError && e.status === 503);
});
