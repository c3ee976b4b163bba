// Several engines as one, with real processes: `npm run cluster -- --engines 2` (compiled engines) and a third
// engine that joins later, its own Redis (so it can be restarted), PostgreSQL when the runner gives
// TEST_POSTGRES_URL (else SQLite), and six cameras on one local GStreamer RTSP server. Asserts ownership,
// rebalancing and failover, never speed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DataSource } from 'typeorm';
import { face, facesAvailable, FACES_DIR } from '../helpers/faces.js';
import { PASSWORD, launchEngine, type TestEngine } from '../helpers/engine.js';
import { alive, commandOf, descendants } from '../helpers/process-tree.js';
import { makeSlideshow, startRtsp, type RtspServer } from '../helpers/rtsp.js';
import { freePort, run, type Running } from '../helpers/spawn.js';
import { startRedis } from '../../scripts/lib/redis.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CAMERAS = 6;
const LEASE_SECONDS = 8;
const consent = { given_by: 'Jane Doe', relationship: 'mother', method: 'paper', policy_version: '2026-09' };

type Redis = { url: string; port: number; stop(): Promise<void> };
interface EngineProc { name: string; pid: number; url: string; alive: boolean }

let redis: Redis;
let rtsp: RtspServer;
let cluster: Running;
/** The engine that joins the running cluster. */
let third: TestEngine | undefined;
let clusterEnv: NodeJS.ProcessEnv;
/** Plain SQL on the cluster's database (this process's entities are bound to its own DATABASE_URL). */
let db: DataSource;
const count = async (sql: string) => Number((await db.query(sql))[0].n);
const marksOf = (student: number) => count(`SELECT COUNT(*) AS n FROM attendance_log WHERE student_id = ${student}`);
let dropDatabase = async () => {};
let engines: EngineProc[] = [];
let token = '';
let cameraIds: number[] = [];
let obama = 0;
/** Every time a camera was seen running on two engines at once (sampled all through the test). */
const doubles: string[] = [];
/** Each engine's answers about what it runs: when asked, when answered, which cameras. */
interface Sample { sentAt: number; answeredAt: number; ids: Set<number> }
const samples = new Map<string, Sample[]>();
let sampler: NodeJS.Timeout | undefined;

async function call(url: string, route: string, init: { method?: string; json?: unknown } = {}) {
  const res = await fetch(`${url}${route}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out (${timeoutMs} ms) waiting for ${what}\n${allOutput().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const allOutput = () => cluster.output() + (third?.proc.output() ?? '');

/**
 * Which live engine runs which camera, from each engine's own list (asked all at once). A camera on two engines at
 * once is recorded, and only then: an answer is a snapshot taken somewhere between asking and answering, so a camera
 * handed over between two answers can show on both without ever running twice. Proof is a camera that engine X
 * listed in two consecutive answers (so it ran there all the time between them) and engine Y listed in an answer
 * asked and given within that time.
 */
async function placement(): Promise<Map<number, string[]>> {
  const answers = await Promise.all(engines.filter((x) => x.alive).map(async (e) => {
    const sentAt = Date.now();
    const r = await call(e.url, '/api/v1/detection/status');
    if (r.status !== 200) throw new Error(`${e.name} status ${r.status}`);
    return { name: e.name, sample: { sentAt, answeredAt: Date.now(), ids: new Set(r.body.running_here as number[]) } };
  }));
  const where = new Map<number, string[]>();
  for (const { name, sample } of answers) {
    samples.set(name, [...(samples.get(name) ?? []), sample].sort((a, b) => a.sentAt - b.sentAt).slice(-40));
    for (const id of sample.ids) where.set(id, [...(where.get(id) ?? []), name]);
  }
  for (const [x, xs] of samples) for (const [y, ys] of samples) {
    if (x === y) continue;
    for (let i = 1; i < xs.length; i++) {
      const [from, to] = [xs[i - 1].answeredAt, xs[i].sentAt];
      if (from >= to) continue;
      for (const id of xs[i - 1].ids) {
        if (!xs[i].ids.has(id)) continue;
        if (ys.some((v) => v.ids.has(id) && v.sentAt >= from && v.answeredAt <= to)) {
          const d = `camera ${id} on ${x} and ${y}`;
          if (!doubles.includes(d)) doubles.push(d);
        }
      }
    }
  }
  return where;
}

/**
 * Every camera's loop running (opening, reading or reconnecting: a loaded machine stalls streams) on exactly one
 * of `on`; the map camera → engine.
 */
async function allRunningOnce(on: EngineProc[]): Promise<Map<number, string> | undefined> {
  const where = await placement();
  if (cameraIds.some((id) => where.get(id)?.length !== 1)) return undefined;
  const names = new Set(on.map((e) => e.name));
  if (cameraIds.some((id) => !names.has(where.get(id)![0]))) return undefined;
  return new Map(cameraIds.map((id) => [id, where.get(id)![0]]));
}

/** Consecutive free ports (the cluster script numbers its engines from ENGINE_PORT). */
async function consecutivePorts(n: number): Promise<number> {
  for (;;) {
    const base = await freePort();
    if (base + n > 65_000) continue;
    const free = await Promise.all(Array.from({ length: n - 1 }, (_, i) => portFree(base + i + 1)));
    if (free.every(Boolean)) return base;
  }
}
const portFree = (port: number) => import('node:net').then((net) => new Promise<boolean>((resolve) => {
  const srv = net.createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
}));

describe('several engines as one (npm run cluster)', { skip: !facesAvailable && `face fixtures missing at ${FACES_DIR}`, timeout: 600_000 }, () => {
  before(async () => {
    redis = await startRedis();
    const dataDir = fs.mkdtempSync(path.join(process.env.TEST_TMP_DIR ?? os.tmpdir(), 'cluster-'));
    const { NODE_TEST_CONTEXT: _ctx, DATABASE_URL: _db, ...base } = process.env;
    const env: NodeJS.ProcessEnv = {
      ...base, DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'warn', ADMIN_PASSWORD: PASSWORD, REDIS_URL: redis.url, QUEUE_PREFIX: `cl${process.pid}`,
      // CPU bounded on a shared 2-core machine: one inference worker, every 3rd frame of a 5 fps source.
      VISION_WORKERS: '1', CAMERA_INFER_EVERY: '3', CAMERA_MAX_CONCURRENT: '3', CAMERA_LEASE_SECONDS: String(LEASE_SECONDS),
      CAMERA_WATCHDOG_SECONDS: '20', ENGINE_PORT: String(await consecutivePorts(3)), MALLOC_ARENA_MAX: '2',
    };
    if (process.env.TEST_POSTGRES_URL) {
      const name = `cluster_${process.pid}`;
      const server = new DataSource({ type: 'postgres', url: process.env.TEST_POSTGRES_URL });
      await server.initialize();
      await server.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await server.query(`CREATE DATABASE ${name}`);
      await server.destroy();
      const url = new URL(process.env.TEST_POSTGRES_URL);
      url.pathname = `/${name}`;
      env.DATABASE_URL = url.toString();
      dropDatabase = async () => {
        const s = new DataSource({ type: 'postgres', url: process.env.TEST_POSTGRES_URL });
        await s.initialize();
        await s.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await s.destroy();
      };
    } else {
      console.warn('\n!!! TEST_POSTGRES_URL not set: the cluster test runs on SQLite\n');
    }
    rtsp = await startRtsp(await makeSlideshow(['fr_obama/obama-720p_sameshot.jpg', 'sun_Trump/Trump-4.jpg'], { secondsEach: 3, fps: 5 }));
    clusterEnv = env;
    cluster = run(process.execPath, [path.join(ROOT, 'scripts/cluster.mjs'), '--engines', '2', '--no-admin'], { cwd: ROOT, env });
    await cluster.waitFor(/\[cluster\] ready: 2 engine/, 400_000);
    engines = [...cluster.output().matchAll(/\[cluster\] (engine-\d+) pid=(\d+) url=(\S+)/g)].map((m) => ({ name: m[1], pid: Number(m[2]), url: m[3], alive: true }));
    assert.equal(engines.length, 2, cluster.output());
    db = new DataSource(env.DATABASE_URL ? { type: 'postgres', url: env.DATABASE_URL } : { type: 'sqlite', database: path.join(dataDir, 'attendance.sqlite') });
    await db.initialize();
    const login = await fetch(`${engines[0].url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
    token = ((await login.json()) as { access_token: string }).access_token;
    const enrolled = await call(engines[0].url, '/api/v1/enroll', { method: 'POST', json: { name: 'Barack Obama', roll_number: 'C-1', consent, photos: ['fr_obama/obama.jpg', 'fr_obama/obama2.jpg'].map((p) => face(p).toString('base64')) } });
    assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
    obama = enrolled.body.student_id;
    for (let i = 1; i <= CAMERAS; i++) {
      const [row] = await db.query(`INSERT INTO cameras (name, source, room) VALUES ('room-${i}', '${rtsp.url}', 'R${i}') RETURNING id`);
      cameraIds.push(Number(row.id));
    }
    sampler = setInterval(() => void placement().catch(() => undefined), 500);
  });

  after(async () => {
    if (sampler) clearInterval(sampler);
    await third?.stop();
    await cluster?.stop('SIGTERM');
    await db?.destroy();
    await rtsp?.stop();
    await redis?.stop();
    await dropDatabase();
  });

  test('cameras started from any engine run each on exactly one engine, within capacity; the status names the engine', async () => {
    // Start requests alternate between the engines: each reaches the camera's owner wherever it runs.
    for (const [i, id] of cameraIds.entries()) {
      const r = await call(engines[i % engines.length].url, '/api/v1/detection/start', { method: 'POST', json: { camera_id: id } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    const where = await until('six cameras running once each', () => allRunningOnce(engines), 90_000);
    const perEngine = engines.map((e) => [...where.values()].filter((n) => n === e.name).length);
    assert.ok(perEngine.every((n) => n <= 3), `within CAMERA_MAX_CONCURRENT=3: ${perEngine}`);
    const status = await call(engines[1].url, '/api/v1/detection/status');
    for (const c of status.body.cameras) assert.equal(c.engine, where.get(c.camera_id), 'the lease names the engine running it');
    assert.deepEqual(doubles, []);
  });

  test('an engine joins: the loaded engines hand it cameras until each runs 2, never one camera on two engines', async () => {
    const port = Number(clusterEnv.ENGINE_PORT) + 2;
    const joinedAt = Date.now();
    third = await launchEngine({ ...clusterEnv, ENGINE_PORT: String(port), ENGINE_ID: 'engine-3' }, { compiled: true, healthTimeoutMs: 180_000 });
    engines.push({ name: 'engine-3', pid: third.proc.child.pid!, url: third.url, alive: true });
    const healthyAt = Date.now();
    const even = async () => {
      const where = await allRunningOnce(engines);
      return where && engines.every((e) => [...where.values()].filter((n) => n === e.name).length === 2) ? where : undefined;
    };
    await until('two cameras on each of three engines', even, 90_000);
    console.log(`[cluster test] engine-3 joined: 2 + 2 + 2 cameras ${Date.now() - healthyAt} ms after it answered (${Date.now() - joinedAt} ms after it was started)`);
    // Settled: another few passes move nothing.
    await new Promise((r) => setTimeout(r, LEASE_SECONDS * 1000));
    assert.ok(await even(), 'still 2 + 2 + 2');
    assert.ok((await marksOf(obama)) <= 1);
    assert.deepEqual(doubles, []);
  });

  test('kill -9 one engine: its cameras run on the others within 15 s, its capture processes end quietly, no duplicate marks', async () => {
    const before = await until('six cameras running once each', () => allRunningOnce(engines), 60_000);
    const victim = engines.find((e) => [...before.values()].includes(e.name))!;
    const captures = descendants(victim.pid).filter((pid) => commandOf(pid).includes('capture.process'));
    assert.ok(captures.length > 0, `${victim.name} runs capture processes`);
    const outputBefore = allOutput().length;
    process.kill(victim.pid, 'SIGKILL');
    victim.alive = false;
    const killedAt = Date.now();
    // Orphaned capture processes notice their engine is gone and exit (releasing the stream), without a trace.
    await until('the killed engine\'s capture processes to exit', async () => captures.every((pid) => !alive(pid)), 10_000);
    console.log(`[cluster test] ${captures.length} capture process(es) of ${victim.name} gone ${Date.now() - killedAt} ms after the kill`);
    const survivors = engines.filter((e) => e.alive);
    const after = await until('every camera running on a survivor', () => allRunningOnce(survivors), 30_000);
    const took = Date.now() - killedAt;
    assert.ok(took < 15_000, `failover took ${took} ms`);
    console.log(`[cluster test] ${[...before.values()].filter((n) => n === victim.name).length} camera(s) of ${victim.name} moved in ${took} ms`);
    assert.ok([...after.values()].every((n) => n !== victim.name));
    const since = allOutput().slice(outputBefore);
    assert.doesNotMatch(since, /ERR_IPC|Error \[|^\S*\s+at /m, since);
    assert.ok((await marksOf(obama)) <= 1, 'never two marks, whichever engines saw him');
    assert.deepEqual(doubles, []);
  });

  test('Redis restarted: leases re-established, no camera runs twice', async () => {
    const survivors = engines.filter((e) => e.alive);
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1500));
    redis = await startRedis({ port: redis.port });
    const where = await until('every camera running once after the restart', () => allRunningOnce(survivors), 60_000);
    // The leases are back in the new (empty) Redis, each naming the engine that runs the camera.
    const status = await until('leases re-established', async () => {
      const s = await call(survivors[0].url, '/api/v1/detection/status');
      return s.body.cameras.every((c: { camera_id: number; engine: string | null }) => c.engine === where.get(c.camera_id)) ? s : undefined;
    }, 30_000);
    assert.equal(status.body.cameras.length, CAMERAS);
    assert.ok((await marksOf(obama)) <= 1);
    assert.deepEqual(doubles, []);
  });

  test('six cameras on three engines, one of them killed, Redis restarted: the student is marked exactly once', async () => {
    // Last, so a loaded machine has had every earlier step to analyse frames: asserts the mark, not its speed.
    await until('a camera mark for the enrolled student', async () => (await marksOf(obama)) > 0, 180_000);
    assert.equal(await marksOf(obama), 1);
  });

  test('stop from any engine reaches the owner; the camera stays off', async () => {
    const where = await until('six cameras running once each', () => allRunningOnce(engines.filter((e) => e.alive)), 60_000);
    const id = cameraIds[0];
    const other = engines.find((e) => e.alive && e.name !== where.get(id))!;
    const r = await call(other.url, '/api/v1/detection/stop', { method: 'POST', json: { camera_id: id } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.camera.state, 'stopped');
    assert.equal(r.body.camera.engine, null);
    await new Promise((res) => setTimeout(res, LEASE_SECONDS * 1000));
    const now = await placement();
    assert.equal(now.get(id), undefined, 'not restarted anywhere');
    assert.equal(await count(`SELECT COUNT(*) AS n FROM cameras WHERE id = ${id} AND enabled = false`), 1, 'desired state off');
  });
});
