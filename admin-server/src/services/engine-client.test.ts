import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { EngineClient, EngineError, EngineUnavailableError } from './engine-client.js';

const seen: { method?: string; url?: string; auth?: string; body: string }[] = [];
let server: http.Server;
let base: string;

before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
      const send = (status: number, json: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(json)); };
      if (req.url === '/health') return send(200, { status: 'ok' });
      if (req.url === '/api/v1/enroll') {
        const { student_id: id } = JSON.parse(body) as { student_id: number };
        if (id === 2) return send(409, { error: 'conflict', message: 'face already enrolled as student 1', details: { studentId: 1 } });
        return send(201, { student_id: id, templates: 1, rejected: [{ index: 1, reasons: ['no_face'] }] });
      }
      if (req.url === '/api/v1/detection/status') return send(200, { cameras: [{ camera_id: 3, state: 'running', detail: null }] });
      return send(404, { error: 'not_found', message: 'no route' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

test('sends the bearer token and JSON, and returns typed results', async () => {
  const engine = new EngineClient({ baseUrl: `${base}/` });
  assert.equal(await engine.health(), true);
  const r = await engine.enroll('tok', 7, ['aGk=', 'aGk=']);
  assert.deepEqual(r, { student_id: 7, templates: 1, rejected: [{ index: 1, reasons: ['no_face'] }] });
  const last = seen.at(-1)!;
  assert.equal(last.auth, 'Bearer tok');
  assert.deepEqual(JSON.parse(last.body), { student_id: 7, photos: ['aGk=', 'aGk='] });
  assert.deepEqual((await engine.detectionStatus('tok')).cameras[0].state, 'running');
});

test('engine errors keep their status, code and details', async () => {
  const engine = new EngineClient({ baseUrl: base });
  const err = await engine.enroll('tok', 2, ['aGk=']).catch((e: unknown) => e);
  assert.ok(err instanceof EngineError);
  assert.equal(err.status, 409);
  assert.equal(err.code, 'engine_conflict');
  assert.deepEqual(err.details, { studentId: 1 });
});

test('an unreachable engine is a clear EngineUnavailableError', async () => {
  const engine = new EngineClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 2000 });
  assert.equal(await engine.health(), false);
  await assert.rejects(engine.startDetection('tok', 1), (e: unknown) => e instanceof EngineUnavailableError && e.status === 503);
});
