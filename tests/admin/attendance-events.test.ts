// Webhooks from every path, against a real receiver on 127.0.0.1, real Redis (BullMQ) and a real database
// (a SQLite file; PostgreSQL with DATABASE_URL, see attendance-events.postgres.test.ts): a camera's late mark
// written by the engine's own AttendanceService (no call to the admin server) reaches the receiver through the
// database's outbox; a lesson that ended with unmarked students gives one `student.absent` each, once, even
// after a restart; a delivery logged while Redis is down arrives once Redis is back.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import {
  AttendanceLog, AuditLog, CalendarEntry, Camera, ClassGroup, ClassSession, QUEUES, Student, WebhookDelivery, WebhookEndpoint, createLogger, openDatabase, redisRequestOptions,
} from '@attendance/shared';
import { AttendanceService } from '../../ai-engine/src/attendance/attendance.service.js';
import { Metrics } from '../../ai-engine/src/observability/metrics.js';
import { Publisher } from '../../ai-engine/src/transport/ws/publisher.js';
import { AttendanceEventRelay } from '../../admin-server/src/services/attendance-events.js';
import { DomainEventBus } from '../../admin-server/src/services/domain-events.js';
import { LessonAbsenceService } from '../../admin-server/src/services/lesson-absences.js';
import { MarksService } from '../../admin-server/src/services/marks.service.js';
import { startWebhookWorker } from '../../admin-server/src/services/webhook.schedule.js';
import { WebhookService, signWebhook } from '../../admin-server/src/services/webhook.service.js';
import { ATTENDANCE_EVENT_TRIGGERS } from '../../shared/src/migrations/1795981080901-schoolday-attendance-events.js';
import { startRedis } from '../../scripts/lib/redis.mjs';

interface Received { headers: http.IncomingHttpHeaders; body: string; data: { studentId: number; status: string; source: string; classSessionId: number | null; rollNumber: string } }
const received: Received[] = [];
const SECRET = 'events-secret-0123456789';
const MONDAY = '2026-11-23';
const at = (day: string, hhmm: string) => new Date(`${day}T${hhmm}:00Z`);
let ds: DataSource;
let receiver: http.Server;
let queue: Queue;
let bus: DomainEventBus;
let stopWorker: () => Promise<void>;
let stopRelay: () => void;
let lesson: ClassSession;
let camera: Camera;
let students: Student[];

const events = (name: string) => received.filter((r) => r.headers['x-attendance-event'] === name);

async function until(what: string, ok: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

before(async () => {
  if (!process.env.REDIS_URL) throw new Error('run through `npm test -- attendance-events` (needs REDIS_URL)');
  ({ dataSource: ds } = await openDatabase({ DATABASE_URL: process.env.DATABASE_URL, sqliteFile: path.join(process.env.TEST_TMP_DIR ?? os.tmpdir(), `attendance-events-${process.pid}.sqlite`) }));
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => {
      received.push({ headers: req.headers, body, data: (JSON.parse(body) as { data: Received['data'] }).data });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const group = await ds.getRepository(ClassGroup).save({ name: '8B' });
  camera = await ds.getRepository(Camera).save({ name: 'Room 8', source: 'usb:0', room: '8', enabled: false });
  lesson = await ds.getRepository(ClassSession).save({ classGroupId: group.id, cameraId: camera.id, weekday: 1, startTime: '09:00', endTime: '10:00', lateAfterMinutes: 10, subject: 'History' });
  students = await ds.getRepository(Student).save(['Ann', 'Ben', 'Cal', 'Dee'].map((name, i) => ds.getRepository(Student).create({ name, rollNumber: `E-${i + 1}`, classGroupId: group.id, active: true })));
  await ds.getRepository(WebhookEndpoint).save({ name: 'Parents', url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, secret: SECRET, events: 'student.absent,student.late', active: true });

  const prefix = `test-events-${process.pid}`;
  queue = new Queue(QUEUES.webhooks, { connection: { url: process.env.REDIS_URL }, prefix });
  const webhooks = new WebhookService(ds, queue, { attempts: 3, backoffMs: 200, timeoutMs: 3000 });
  bus = new DomainEventBus();
  webhooks.subscribe(bus);
  stopWorker = startWebhookWorker({ url: process.env.REDIS_URL, prefix }, webhooks, createLogger('test'));
  // The admin server's poll of the outbox (every 2 s in main.ts; faster here).
  stopRelay = new AttendanceEventRelay(ds, bus).start(200);
});
after(async () => {
  stopRelay?.();
  await stopWorker?.();
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  receiver?.close();
  await ds?.destroy();
});

test('the outbox triggers are in the database', async () => {
  const names = ds.options.type === 'postgres'
    ? (await ds.query("SELECT tgname AS name FROM pg_trigger WHERE tgrelid = 'attendance_log'::regclass") as { name: string }[]).map((r) => r.name)
    : (await ds.query("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'attendance_log'") as { name: string }[]).map((r) => r.name);
  for (const t of ATTENDANCE_EVENT_TRIGGERS) assert.ok(names.includes(t), `trigger ${t} missing (found ${names.join(', ')})`);
});

test('a camera marking a student late (the engine\'s AttendanceService, its own process\'s code) raises a signed student.late', async () => {
  let now = at(MONDAY, '09:04');
  const engine = new AttendanceService(ds, 'UTC', new Publisher(), new Metrics(), () => now);
  const onTime = await engine.mark({ studentId: students[1].id, confidence: 0.91, source: 'camera', cameraId: camera.id });
  assert.ok(onTime.marked && onTime.record.status === 'present', JSON.stringify(onTime));
  now = at(MONDAY, '09:17');
  const late = await engine.mark({ studentId: students[0].id, confidence: 0.88, source: 'camera', cameraId: camera.id });
  assert.ok(late.marked && late.record.status === 'late', JSON.stringify(late));

  await until('the late event', () => events('student.late').length >= 1);
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(received.length, 1, 'a present mark sends nothing');
  const [r] = received;
  const ts = String(r.headers['x-attendance-timestamp']);
  assert.equal(r.headers['x-attendance-signature'], signWebhook(SECRET, ts, r.body));
  assert.deepEqual([r.data.studentId, r.data.rollNumber, r.data.status, r.data.source, r.data.classSessionId], [students[0].id, 'E-1', 'late', 'camera', lesson.id]);
  assert.match(String(r.headers["x-attendance-delivery"]), /^attendance-event-\d+$/, "the outbox row names the event: the same id if it is relayed again");
});

test('a lesson that ended with unmarked students gives one student.absent each, once, also after a restart; the teacher still corrects it', async () => {
  const grace = 15;
  assert.equal(await new LessonAbsenceService(ds, 'UTC', grace, () => at(MONDAY, '10:10')).sweep(), 0, 'within the grace period');
  assert.equal(await new LessonAbsenceService(ds, 'UTC', grace, () => at(MONDAY, '10:16')).sweep(), 2, 'Cal and Dee had no mark');
  await until('two absent events', () => events('student.absent').length >= 2);
  // A restart: new services on the same database sweep again and relay again.
  assert.equal(await new LessonAbsenceService(ds, 'UTC', grace, () => at(MONDAY, '11:00')).sweep(), 0);
  await new AttendanceEventRelay(ds, bus).drain();
  await new Promise((r) => setTimeout(r, 800));
  const absent = events('student.absent');
  assert.deepEqual(absent.map((r) => r.data.studentId).sort(), [students[2].id, students[3].id].sort());
  assert.ok(absent.every((r) => r.data.source === 'auto' && r.data.classSessionId === lesson.id));
  assert.equal(await ds.getRepository(WebhookDelivery).countBy({ event: 'student.absent' }), 2);
  const stored = await ds.getRepository(AttendanceLog).findBy({ day: MONDAY, slot: `session:${lesson.id}`, source: 'auto' });
  assert.deepEqual(stored.map((m) => m.status), ['absent', 'absent']);
  assert.equal(await ds.getRepository(AuditLog).countBy({ action: 'attendance.auto-absent' }), 1);

  // The register stays the teacher's: Dee came after all; the correction stands, and a present mark is no news.
  const marks = new MarksService(ds, 'UTC', () => at(MONDAY, '11:05'), new AttendanceEventRelay(ds, bus));
  const dee = stored.find((m) => m.studentId === students[3].id)!;
  await marks.correct(dee.id, { status: 'present' }, { id: null, name: 'teacher' });
  assert.equal((await ds.getRepository(AttendanceLog).findOneByOrFail({ id: dee.id })).status, 'present');
  // The entrance camera later that day is not held back by the stored absences (cooldown, daily cap).
  const entrance = new AttendanceService(ds, 'UTC', new Publisher(), new Metrics(), () => at(MONDAY, '11:06'), { cooldownSeconds: 3600, maxMarksPerDay: 1 });
  const seen = await entrance.mark({ studentId: students[2].id, confidence: 0.9, source: 'camera', cameraId: null });
  assert.ok(seen.marked, JSON.stringify(seen));
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(events('student.absent').length, 2);
});

test('no absences on a day the calendar gives the class no lessons', async () => {
  const holiday = '2026-11-30';
  await ds.getRepository(CalendarEntry).save({ kind: 'holiday', name: 'Staff day', startDay: holiday, endDay: holiday });
  assert.equal(await new LessonAbsenceService(ds, 'UTC', 15, () => at(holiday, '12:00')).sweep(), 0);
  assert.equal(await ds.getRepository(AttendanceLog).countBy({ day: holiday }), 0);
});

test('a delivery logged while Redis is down arrives once Redis is back (the pending sweep), once', async () => {
  let redis = await startRedis();
  const prefix = `test-events-down-${process.pid}`;
  const quiet = <T extends { on(e: 'error', f: () => void): unknown }>(x: T): T => { x.on('error', () => undefined); return x; }; // refused connections are the point here
  const settings = { attempts: 3, backoffMs: 200, timeoutMs: 3000, resendAfterMs: 300 };
  let stop: (() => Promise<void>) | undefined;
  let queue2: Queue | undefined;
  let client2: Redis | undefined;
  try {
    await redis.stop();
    // The admin server logs the event while Redis is down: the delivery is written, its job cannot be queued.
    const client = quiet(new Redis(redis.url, redisRequestOptions()));
    const downQueue = quiet(new Queue(QUEUES.webhooks, { connection: client, prefix }));
    const logging = new WebhookService(ds, downQueue, settings);
    const data = { studentId: students[0].id, studentName: 'Ann', rollNumber: 'E-1', classGroup: '8B', day: MONDAY, classSessionId: lesson.id, status: 'late', source: 'camera', reason: null, note: null, at: at(MONDAY, '09:17').toISOString() };
    const [id] = await logging.dispatch('student.late', data, 'while-redis-was-down');
    assert.ok(id, 'the delivery is logged even with Redis down');
    assert.equal((await ds.getRepository(WebhookDelivery).findOneByOrFail({ id })).status, 'pending');
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await logging.resendPending(), 0, 'nothing can be queued while Redis is down');
    // That process goes (a restart; or Redis comes back empty): nothing it held for Redis survives.
    client.disconnect();
    await Promise.race([downQueue.close(), new Promise((r) => setTimeout(r, 1000))]);
    redis = await startRedis({ port: redis.port });
    client2 = quiet(new Redis(redis.url, redisRequestOptions()));
    queue2 = quiet(new Queue(QUEUES.webhooks, { connection: client2, prefix }));
    assert.equal(await queue2.getJob(`webhook.deliver__${id}`), undefined, 'no job for the delivery');
    const webhooks = new WebhookService(ds, queue2, settings);
    stop = startWebhookWorker({ url: redis.url, prefix }, webhooks, createLogger('test'), 200);
    await until('the delivery to arrive', () => received.some((r) => r.headers['x-attendance-delivery'] === 'while-redis-was-down'));
    await until('the log to say delivered', async () => (await ds.getRepository(WebhookDelivery).findOneByOrFail({ id })).status === 'delivered');
    await webhooks.resendPending();
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(received.filter((r) => r.headers['x-attendance-delivery'] === 'while-redis-was-down').length, 1);
  } finally {
    await stop?.();
    await queue2?.close();
    client2?.disconnect();
    await redis.stop();
  }
});
