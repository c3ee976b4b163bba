// Signed webhooks against a real receiver on 127.0.0.1, real Redis (BullMQ) and a SQLite file: a hand
// mark "absent" reaches the receiver signed, and a first 500 is retried with the same delivery id.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { AttendanceLog, ClassGroup, ClassSession, QUEUES, Student, WebhookDelivery, WebhookEndpoint, createLogger, openDatabase } from '@attendance/shared';
import { AttendanceEventRelay } from '../../admin-server/src/services/attendance-events.js';
import { DomainEventBus } from '../../admin-server/src/services/domain-events.js';
import { MarksService } from '../../admin-server/src/services/marks.service.js';
import { startWebhookWorker } from '../../admin-server/src/services/webhook.schedule.js';
import { WebhookService, checkEndpoint, signWebhook } from '../../admin-server/src/services/webhook.service.js';

interface Received { headers: http.IncomingHttpHeaders; body: string }
const received: Received[] = [];
let answers = [500];
let ds: DataSource;
let receiver: http.Server;
let queue: Queue;
let stopWorker: () => Promise<void>;
let marks: MarksService;
let studentId: number;
let sessionId: number;
const SECRET = 'test-secret-0123456789';

before(async () => {
  if (!process.env.REDIS_URL) throw new Error('run through `npm test -- webhooks` (needs REDIS_URL)');
  ({ dataSource: ds } = await openDatabase({ sqliteFile: path.join(process.env.TEST_TMP_DIR ?? os.tmpdir(), `webhooks-${process.pid}.sqlite`) }));
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const group = await ds.getRepository(ClassGroup).save({ name: '7A' });
  sessionId = (await ds.getRepository(ClassSession).save({ classGroupId: group.id, weekday: 1, startTime: '08:30', endTime: '09:15', subject: 'Maths' })).id;
  studentId = (await ds.getRepository(Student).save(ds.getRepository(Student).create({ name: 'Ada Lovelace', rollNumber: 'R1001', classGroupId: group.id, active: true }))).id;
  await ds.getRepository(WebhookEndpoint).save({ name: 'SIS', url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, secret: SECRET, events: 'student.absent,student.late', active: true });

  const prefix = `test-webhooks-${process.pid}`;
  queue = new Queue(QUEUES.webhooks, { connection: { url: process.env.REDIS_URL }, prefix });
  const webhooks = new WebhookService(ds, queue, { attempts: 3, backoffMs: 200, timeoutMs: 3000 });
  const bus = new DomainEventBus();
  webhooks.subscribe(bus);
  stopWorker = startWebhookWorker({ url: process.env.REDIS_URL, prefix }, webhooks, createLogger('test'));
  marks = new MarksService(ds, 'UTC', () => new Date('2026-11-30T08:40:00Z'), new AttendanceEventRelay(ds, bus));
});
after(async () => {
  await stopWorker?.();
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await queue?.close();
  receiver?.close();
  await ds?.destroy();
});

async function until(what: string, ok: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('an absent student is sent signed; a first 500 is retried with the same delivery id and signature scheme', async () => {
  await marks.mark({ studentId, slot: `session:${sessionId}`, status: 'absent', note: 'no show' }, { id: null, name: 'teacher' });
  await until('two tries', () => received.length >= 2);
  const [first, second] = received;
  for (const r of [first, second]) {
    const ts = String(r.headers['x-attendance-timestamp']);
    assert.equal(r.headers['x-attendance-signature'], signWebhook(SECRET, ts, r.body), 'HMAC-SHA256 over timestamp.body with the endpoint secret');
    assert.notEqual(r.headers['x-attendance-signature'], signWebhook('another-secret', ts, r.body));
    assert.equal(r.headers['x-attendance-event'], 'student.absent');
  }
  assert.equal(first.headers['x-attendance-delivery'], second.headers['x-attendance-delivery']);
  const body = JSON.parse(second.body) as { event: string; data: Record<string, unknown> };
  assert.equal(body.event, 'student.absent');
  assert.deepEqual([body.data.studentName, body.data.rollNumber, body.data.classGroup, body.data.classSessionId, body.data.day, body.data.note],
    ['Ada Lovelace', 'R1001', '7A', sessionId, '2026-11-30', 'no show']);
  await until('the delivery log to say delivered', async () => (await ds.getRepository(WebhookDelivery).findOneByOrFail({ eventId: String(first.headers['x-attendance-delivery']) })).status === 'delivered');
  const log = await ds.getRepository(WebhookDelivery).findOneByOrFail({ eventId: String(first.headers['x-attendance-delivery']) });
  assert.deepEqual([log.attempts, log.lastStatusCode, log.lastError], [2, 200, null]);
});

test('a late arrival is an event too; a present mark sends nothing', async () => {
  const before = received.length;
  const other = (await ds.getRepository(Student).save(ds.getRepository(Student).create({ name: 'Alan Turing', rollNumber: 'R1002', active: true }))).id;
  await marks.mark({ studentId: other, status: 'present' }, { id: null, name: 'teacher' });
  await marks.mark({ studentId, status: 'late' }, { id: null, name: 'teacher' });
  await until('the late event', () => received.length > before);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(received.length, before + 1);
  assert.equal(received.at(-1)!.headers['x-attendance-event'], 'student.late');
  assert.equal(await ds.getRepository(WebhookDelivery).count(), 2);
});

test('a correction to absent is an event; a correction that changes nothing is not', async () => {
  const before = received.length;
  const other = await ds.getRepository(Student).findOneByOrFail({ rollNumber: 'R1002' });
  const id = (await ds.getRepository(AttendanceLog).findOneByOrFail({ studentId: other.id })).id;
  await marks.correct(id, { status: 'absent', reasonCode: null }, { id: null, name: 'teacher' });
  await marks.correct(id, { status: 'absent', reasonCode: null }, { id: null, name: 'teacher' });
  await until('the absent event', () => received.length > before);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(received.length, before + 1);
  assert.equal((JSON.parse(received.at(-1)!.body) as { data: { rollNumber: string } }).data.rollNumber, 'R1002');
});

test('an endpoint needs an http(s) URL and known events', () => {
  assert.throws(() => checkEndpoint({ url: 'ftp://sis.example.org/x', events: 'student.absent' }), /must start with https:\/\//);
  assert.throws(() => checkEndpoint({ url: 'https://sis.example.org/x', events: 'student.gone' }), /comma-separated list of register.confirmed, student.absent, student.late/);
  assert.doesNotThrow(() => checkEndpoint({ url: 'https://sis.example.org/x', events: 'student.absent, student.late' }));
});
