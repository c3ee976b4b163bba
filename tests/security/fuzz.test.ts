// A bounded, seeded fuzz of every engine route and the admin server's JSON and AdminJS routes, plus
// WebSocket messages: malformed bodies, images, multipart parts, JSON, ids and query strings. Every
// answer must be a 2xx, or a 4xx with a JSON `message`; never a 5xx. The engine must keep serving and
// its memory stay bounded. FUZZ_SEED / FUZZ_CASES reproduce or widen a run.
import '../helpers/admin-env.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { Camera, createApiKey, loadConfig, openDatabase } from '@attendance/shared';
import { startAdminApp, type AdminUnderTest } from '../helpers/admin-app.js';
import { PASSWORD, seedFixture } from '../helpers/admin-fixtures.js';
import { loginCookie } from '../helpers/admin-http.js';
import { startEngine, type TestEngine } from '../helpers/engine.js';
import { face, facesAvailable } from '../helpers/faces.js';

const SEED = Number(process.env.FUZZ_SEED ?? 1309);
const CASES = Number(process.env.FUZZ_CASES ?? 1200);
const CONCURRENCY = 4;

/** mulberry32: a small seeded generator, so a failure names the seed that reproduces it. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  return { next, int, pick, bytes };
}
type Rng = ReturnType<typeof rng>;

const NASTY_SCALARS: unknown[] = [
  'abc', 'NaN', '1e400', '-1', '0', '1.5', '99999999999999999999', ' 1', '1 OR 1=1', "'; DROP TABLE students; --", '../../etc/passwd', '%00', '\u0000', '🙂',
  '', 'null', 'true', '[]', '{}', -1, 0, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, true, false, null, [], {}, [1, 2], { $gt: 0 }, 'x'.repeat(5000),
];
const ID_SEGMENTS = ['1', '0', '-1', 'abc', 'NaN', '1e400', '%2e%2e', '..', '1;2', '00000000-0000-4000-8000-000000000001', 'x'.repeat(300), '%ff%fe', '1%00', '9007199254740993'];

function nastyJson(r: Rng, fields: string[]): string | Buffer {
  switch (r.int(8)) {
    case 0: return '{"image": ';
    case 1: return '['.repeat(2000 + r.int(20_000)) + ']'.repeat(r.int(10));
    case 2: return r.bytes(r.int(200));
    case 3: return JSON.stringify(r.pick(NASTY_SCALARS));
    case 4: return '{"a":1,"a":2,"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}';
    default: {
      const o: Record<string, unknown> = {};
      for (const f of fields) if (r.next() < 0.7) o[f] = r.pick(NASTY_SCALARS);
      if (r.next() < 0.5) o.image = r.pick(['', 'aGk=', '%%%', Buffer.from(r.bytes(64)).toString('base64'), `data:image/jpeg;base64,${r.bytes(30).toString('base64')}`]);
      return JSON.stringify(o);
    }
  }
}

function nastyImage(r: Rng): Buffer {
  const jpegHead = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  switch (r.int(6)) {
    case 0: return Buffer.concat([jpegHead, r.bytes(r.int(4000))]);
    case 1: return Buffer.concat([png, Buffer.from([0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0, 8, 2, 0, 0, 0]), r.bytes(r.int(200))]); // claims 100000×100000
    case 2: return Buffer.alloc(0);
    case 3: { const j = face('fr_obama/obama1.jpg'); const cut = Buffer.from(j.subarray(0, r.int(j.length))); if (cut.length > 10) cut[r.int(cut.length)] ^= 0xff; return cut; }
    case 4: return Buffer.from('GIF89a' + 'x'.repeat(r.int(100)));
    default: return r.bytes(r.int(2000));
  }
}

function nastyMultipart(r: Rng, fields: string[]): { body: Buffer; type: string } {
  const boundary = r.pick(['b0undary', '', 'a'.repeat(80), 'x"y']);
  const parts: Buffer[] = [];
  for (let i = 0; i < r.int(5); i++) {
    const name = r.pick([...fields, 'image', 'photos', '', 'x'.repeat(500), '"']);
    const file = r.next() < 0.5 ? `; filename="${r.pick(['a.jpg', '', '../../x', '\u0000'])}"` : '';
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${file}\r\n\r\n`), r.next() < 0.5 ? nastyImage(r) : Buffer.from(String(r.pick(NASTY_SCALARS))), Buffer.from('\r\n'));
  }
  if (r.next() < 0.8) parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: r.next() < 0.9 ? `multipart/form-data; boundary=${boundary}` : 'multipart/form-data' };
}

interface Outcome { status: number; bodyText: string; contentType: string; what: string }

async function send(url: string, init: RequestInit, what: string): Promise<Outcome> {
  const res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  const buf = Buffer.from(await res.arrayBuffer());
  return { status: res.status, bodyText: buf.subarray(0, 2000).toString(), contentType: res.headers.get('content-type') ?? '', what };
}

/** Only 2xx/3xx, or a 4xx with a JSON message; the failures found are listed together. */
function judge(outcomes: Outcome[], allowHtml4xx = false): string[] {
  const bad: string[] = [];
  for (const o of outcomes) {
    if (o.status >= 500) bad.push(`${o.status} ${o.what}: ${o.bodyText.slice(0, 200)}`);
    else if (o.status >= 400 && !(allowHtml4xx && o.contentType.includes('html'))) {
      let message: unknown;
      try { message = (JSON.parse(o.bodyText) as { message?: unknown }).message; } catch { /* not JSON */ }
      if (typeof message !== 'string') bad.push(`${o.status} without a JSON message: ${o.what}: ${o.bodyText.slice(0, 120)}`);
    }
  }
  return bad;
}

async function pool<T>(items: T[], work: (item: T) => Promise<Outcome>): Promise<Outcome[]> {
  const out: Outcome[] = [];
  let i = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (i < items.length) out.push(await work(items[i++])); }));
  return out;
}

/** Resident memory of a process and its descendants (the engine runs under tsx), in MB. */
function rssMb(pid: number): number {
  let kb = 0;
  const walk = (p: number) => {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
      for (const c of fs.readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) walk(Number(c));
    } catch { /* gone */ }
  };
  walk(pid);
  return kb / 1024;
}

describe('fuzz', { skip: !facesAvailable && 'face fixtures missing' }, () => {
  let engine: TestEngine;
  let admin: AdminUnderTest;
  const tokens: Record<string, string> = {};
  let deviceKey = '';
  let cookie = '';
  let sisKey = '';

  before(async () => {
    engine = await startEngine({ LOGIN_MAX_ATTEMPTS: '1000', VISION_MAX_QUEUED: '64' });
    for (const role of ['admin', 'staff', 'teacher'] as const) tokens[role] = await engine.token(role);
    const { dataSource } = await openDatabase(loadConfig(engine.env), { migrate: false });
    const cam = await dataSource.getRepository(Camera).save({ name: 'Fuzz cam', source: 'file:/nonexistent.mp4', room: '1', enabled: false });
    deviceKey = (await createApiKey(dataSource, { name: 'fuzz device', scope: 'device', cameraId: cam.id }, { id: null, name: 'test' })).key;
    await dataSource.destroy();
    admin = await startAdminApp('fuzz');
    await seedFixture(admin.ds);
    cookie = (await loginCookie(admin.url, 'admin', PASSWORD)).cookie!;
    sisKey = (await createApiKey(admin.ds, { name: 'fuzz sis', scope: 'sis' }, { id: null, name: 'test' })).key;
  });
  after(async () => { await admin?.stop(); await engine?.stop(); });

  const only = process.env.FUZZ_ONLY;
  test(`engine: ${CASES} malformed requests across every route (seed ${SEED}) get 4xx JSON, never 5xx; memory bounded`, { skip: only === 'admin' && 'FUZZ_ONLY=admin' }, async () => {
    const r = rng(SEED);
    const doc = await (await fetch(`${engine.url}/api/v1/openapi.json`)).json() as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path: p })))
      .filter((x) => x.path !== '/stream/{camera_id}'); // a stream never ends by itself: fuzzed below with bad ids only
    const fields = ['camera_id', 'student_id', 'session', 'session_id', 'position', 'photos', 'name', 'roll_number', 'class_group_id', 'consent', 'force', 'username', 'password', 'given_by'];
    const baseline = rssMb(engine.proc.child.pid!);
    const cases = Array.from({ length: CASES }, (_, n) => {
      const route = r.pick(routes);
      const auth = r.pick(['staff', 'staff', 'staff', 'admin', 'teacher', 'device', 'none', 'garbage'] as const);
      const headers: Record<string, string> = {};
      if (auth === 'device') headers['x-api-key'] = deviceKey;
      else if (auth === 'garbage') headers.authorization = r.pick(['Bearer ', 'Bearer a.b.c', `Bearer ${'x'.repeat(3000)}`, 'Basic Zm9vOmJhcg==', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.']);
      else if (auth !== 'none') headers.authorization = `Bearer ${tokens[auth]}`;
      const query = r.next() < 0.5 ? `?${fields.slice(0, 3).map((f) => `${f}=${encodeURIComponent(String(r.pick(NASTY_SCALARS)))}`).join('&')}&mark=${r.pick(['true', 'false', '1', ''])}` : '';
      let body: string | Buffer | undefined;
      if (route.method !== 'GET') {
        const kind = r.int(4);
        if (kind === 0) { headers['content-type'] = 'application/json'; body = nastyJson(r, fields); }
        else if (kind === 1) { headers['content-type'] = r.pick(['image/jpeg', 'image/png', 'application/octet-stream']); body = nastyImage(r); }
        else if (kind === 2) { const m = nastyMultipart(r, fields); headers['content-type'] = m.type; body = m.body; }
        else { headers['content-type'] = r.pick(['text/plain', 'application/x-www-form-urlencoded', '', 'application/json; charset=utf-16']); body = r.bytes(r.int(300)); }
      }
      return { n, url: `${engine.url}${route.path}${query}`, init: { method: route.method, headers, body } as RequestInit, what: `#${n} ${route.method} ${route.path}${query.slice(0, 80)} [${auth}, ${headers['content-type'] ?? '-'}]` };
    });
    // Ids in paths: the stream and unknown routes.
    for (const id of ID_SEGMENTS) cases.push({ n: -1, url: `${engine.url}/stream/${id}?token=${tokens.staff}`, init: { method: 'GET', headers: {} }, what: `stream ${id}` });
    for (const id of ID_SEGMENTS) cases.push({ n: -1, url: `${engine.url}/api/v1/${id}`, init: { method: 'POST', headers: {} }, what: `unknown ${id}` });
    let peak = baseline;
    const outcomes = await pool(cases, async (c) => {
      const o = await send(c.url, c.init, c.what).catch((err: Error) => ({ status: 0, bodyText: err.message, contentType: '', what: c.what }));
      if (c.n % 100 === 0) peak = Math.max(peak, rssMb(engine.proc.child.pid!));
      // A stream to an existing camera would stay open; the ids above are all invalid, so it answers at once.
      return o;
    });
    const bad = judge(outcomes.filter((o) => o.status !== 0));
    const dropped = outcomes.filter((o) => o.status === 0 && !/aborted|timeout/i.test(o.bodyText));
    assert.deepEqual(bad.slice(0, 20), [], `${bad.length} bad answers (seed ${SEED})`);
    assert.ok(dropped.length <= outcomes.length * 0.01, `connections dropped: ${dropped.slice(0, 5).map((d) => `${d.what}: ${d.bodyText}`).join('; ')}`);
    assert.equal(engine.proc.child.exitCode, null, 'engine still running');
    assert.equal((await fetch(`${engine.url}/health`)).status, 200);
    const end = rssMb(engine.proc.child.pid!);
    console.log(`fuzz engine: ${outcomes.length} requests, statuses ${JSON.stringify(countBy(outcomes.map((o) => o.status)))}, RSS ${baseline.toFixed(0)} → peak ${peak.toFixed(0)} → ${end.toFixed(0)} MB`);
    assert.ok(peak - baseline < 1500, `memory grew by ${(peak - baseline).toFixed(0)} MB`);
  });

  test('engine: malformed WebSocket messages on /ws and /ws/laptop-camera leave it serving', { skip: only === 'admin' && 'FUZZ_ONLY=admin' }, async () => {
    const r = rng(SEED + 1);
    const ws = new WebSocket(`${engine.url.replace('http', 'ws')}/ws?token=${tokens.staff}`);
    await once(ws, 'open');
    for (let i = 0; i < 500; i++) {
      const m = r.int(3) === 0 ? r.bytes(r.int(2000)) : nastyJson(r, ['subscribe', 'unsubscribe']);
      ws.send(m);
    }
    const laptop = await (await fetch(`${engine.url}/api/v1/detection/laptop-camera/start`, { method: 'POST', headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' }, body: '{}' })).json() as { ws_path: string };
    const lws = new WebSocket(`${engine.url.replace('http', 'ws')}${laptop.ws_path}&token=${tokens.admin}`);
    await once(lws, 'open');
    for (let i = 0; i < 100; i++) lws.send(r.next() < 0.5 ? nastyImage(r) : String(r.pick(NASTY_SCALARS)));
    await new Promise((res) => setTimeout(res, 1000));
    ws.close();
    lws.close();
    assert.equal(engine.proc.child.exitCode, null);
    assert.equal((await fetch(`${engine.url}/health`)).status, 200);
  });

  test('admin: malformed ids, filters, bodies and queries on the JSON, SIS and AdminJS routes get 4xx JSON, never 5xx', async () => {
    const r = rng(SEED + 2);
    const resources = ['Student', 'ClassGroup', 'ClassSession', 'Camera', 'AttendanceLog', 'StudentPresence', 'User', 'AuditLog', 'ApiKey'];
    const q = () => encodeURIComponent(String(r.pick([...NASTY_SCALARS, ...ID_SEGMENTS])));
    const makers: Array<() => { url: string; init: RequestInit; what: string }> = [
      () => ({ url: `/api/reports/class-group/${r.pick(ID_SEGMENTS)}?from=${q()}&to=${q()}`, init: {}, what: 'report group' }),
      () => ({ url: `/api/reports/student/${r.pick(ID_SEGMENTS)}?from=${q()}&to=${q()}`, init: {}, what: 'report student' }),
      () => ({ url: `/api/attendance/export.csv?from=${q()}&to=${q()}&classGroupId=${q()}&studentId=${q()}&status=${q()}`, init: {}, what: 'csv' }),
      () => ({ url: `/api/students/${r.pick(ID_SEGMENTS)}/export.json`, init: {}, what: 'export' }),
      () => ({ url: `/api/students/${r.pick(ID_SEGMENTS)}/enroll`, init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: nastyJson(r, ['photos']) }, what: 'enroll' }),
      () => ({ url: `/api/students/${r.pick(ID_SEGMENTS)}/liveness-token`, init: { method: 'POST' }, what: 'liveness token' }),
      () => ({ url: '/api/api-keys', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: nastyJson(r, ['name', 'scope', 'camera_id']) }, what: 'api key' }),
      () => ({ url: `/api/api-keys/${r.pick(ID_SEGMENTS)}/revoke`, init: { method: 'POST' }, what: 'revoke' }),
      () => ({ url: '/api/me/password', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: nastyJson(r, ['current', 'next']) }, what: 'password' }),
      () => ({ url: `/api/v1/students?page=${q()}&perPage=${q()}&classGroupId=${q()}&ids=${q()}&active=${q()}&q=${q()}`, init: { headers: { 'x-api-key': sisKey } }, what: 'sis students' }),
      () => ({ url: `/api/v1/attendance?page=${q()}&perPage=${q()}&from=${q()}&to=${q()}&studentId=${q()}`, init: { headers: { 'x-api-key': sisKey } }, what: 'sis attendance' }),
      () => ({ url: '/api/v1/auth/token', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body: nastyJson(r, ['username', 'password']) }, what: 'sis token' }),
      () => ({ url: `/admin/api/resources/${r.pick(resources)}/records/${r.pick(ID_SEGMENTS)}/show`, init: {}, what: 'adminjs show' }),
      () => ({ url: `/admin/api/resources/${r.pick(resources)}/actions/list?page=${q()}&perPage=${q()}&direction=${q()}&filters.id=${q()}&filters.classGroupId=${q()}`, init: {}, what: 'adminjs list' }),
      () => ({ url: `/admin/api/resources/${r.pick(resources)}/search/${q()}`, init: {}, what: 'adminjs search' }),
    ];
    const cases = Array.from({ length: Math.round(CASES / 2) }, (_, n) => {
      const c = r.pick(makers)();
      return { ...c, url: admin.url + c.url, init: { ...c.init, headers: { ...(c.init.headers as Record<string, string>), cookie } }, what: `#${n} ${c.what} ${c.url.slice(0, 120)}` };
    });
    const outcomes = await pool(cases, (c) => send(c.url, c.init, c.what));
    const bad = judge(outcomes);
    console.log(`fuzz admin: ${outcomes.length} requests, statuses ${JSON.stringify(countBy(outcomes.map((o) => o.status)))}`);
    const byRoute = countByLabel(bad.map((b) => b.replace(/^\d+ (without a JSON message: )?#\d+ /, '').split(' ')[0] + ' ' + b.split(' ')[0]));
    assert.deepEqual(bad.slice(0, 20), [], `${bad.length} bad answers (seed ${SEED + 2}): ${JSON.stringify(byRoute)}`);
  });
});

function countByLabel(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

function countBy(xs: number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
