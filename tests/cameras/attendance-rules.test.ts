// AttendanceService's rules on a real, migrated SQLite file, with an injected clock.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DataSource } from 'typeorm';
import { AttendanceLog, Camera, ClassGroup, ClassSession, Student, StudentPresence, loadConfig, openDatabase } from '@attendance/shared';
import { AttendanceService } from '../../ai-engine/src/attendance/attendance.service.js';
import { PresenceService } from '../../ai-engine/src/attendance/presence.service.js';
import { Metrics } from '../../ai-engine/src/observability/metrics.js';
import { Publisher } from '../../ai-engine/src/transport/ws/publisher.js';
import { prepareDatabase } from '../helpers/engine.js';

const TZ = 'UTC';
let db: DataSource;
let clock = new Date('2026-11-23T09:00:00Z'); // a Monday
const now = () => clock;
let ids: { cam: number; inClass: number; other: number; session: number };

before(async () => {
  const env = await prepareDatabase({ SCHOOL_TIMEZONE: TZ });
  db = (await openDatabase(loadConfig(env), { migrate: false })).dataSource;
  const cam = (await db.getRepository(Camera).insert({ name: 'room 1', source: 'usb:0', room: '1' })).identifiers[0].id as number;
  const group = (await db.getRepository(ClassGroup).insert({ name: '7A' })).identifiers[0].id as number;
  const inClass = (await db.getRepository(Student).insert({ name: 'In Class', rollNumber: 'R1', classGroupId: group, active: true })).identifiers[0].id as number;
  const other = (await db.getRepository(Student).insert({ name: 'Other', rollNumber: 'R2', active: true })).identifiers[0].id as number;
  const session = (await db.getRepository(ClassSession).insert({ classGroupId: group, cameraId: cam, weekday: 1, startTime: '09:00', endTime: '10:00', lateAfterMinutes: 10 })).identifiers[0].id as number;
  ids = { cam, inClass, other, session };
});
after(async () => db?.destroy());

const service = (rules = { cooldownSeconds: 0, maxMarksPerDay: 0 }) => new AttendanceService(db, TZ, new Publisher(), new Metrics(), now, rules);

test('in a running session: roster only, present before late-after, late after, once per session', async () => {
  const a = service();
  clock = new Date('2026-11-23T09:05:00Z');
  assert.deepEqual(await a.mark({ studentId: ids.other, confidence: 0.7, source: 'camera', cameraId: ids.cam }), { marked: false, reason: 'not_in_roster' });
  const first = await a.mark({ studentId: ids.inClass, confidence: 0.7, source: 'camera', cameraId: ids.cam });
  assert.ok(first.marked && first.record.status === 'present' && first.record.classSessionId === ids.session);
  assert.equal(first.marked && first.record.cameraId, ids.cam);
  clock = new Date('2026-11-23T09:30:00Z');
  assert.deepEqual(await a.mark({ studentId: ids.inClass, confidence: 0.7, source: 'camera', cameraId: ids.cam }), { marked: false, reason: 'already_marked' });
  await db.getRepository(AttendanceLog).clear();
  const late = await a.mark({ studentId: ids.inClass, confidence: 0.66, source: 'laptop', cameraId: ids.cam });
  assert.ok(late.marked);
  assert.equal(late.record.status, 'late');
  assert.equal(late.record.source, 'laptop');
  assert.equal(late.record.confidence, 0.66);
});

test('outside sessions: once per day; cooldown and a daily cap limit marks across slots', async () => {
  await db.getRepository(AttendanceLog).clear();
  const a = service({ cooldownSeconds: 600, maxMarksPerDay: 2 });
  clock = new Date('2026-11-23T08:58:00Z');
  assert.ok((await a.mark({ studentId: ids.inClass, confidence: 0.7, source: 'camera', cameraId: ids.cam })).marked); // slot "day"
  clock = new Date('2026-11-23T09:02:00Z'); // session starts, but within the cooldown
  assert.deepEqual(await a.mark({ studentId: ids.inClass, confidence: 0.7, source: 'camera', cameraId: ids.cam }), { marked: false, reason: 'cooldown' });
  clock = new Date('2026-11-23T09:20:00Z');
  assert.ok((await a.mark({ studentId: ids.inClass, confidence: 0.7, source: 'camera', cameraId: ids.cam })).marked);
  await db.getRepository(ClassSession).insert({ classGroupId: (await db.getRepository(Student).findOneByOrFail({ id: ids.inClass })).classGroupId!, cameraId: ids.cam, weekday: 1, startTime: '11:00', endTime: '12:00', lateAfterMinutes: 5 });
  clock = new Date('2026-11-23T11:01:00Z');
  assert.deepEqual(await a.mark({ studentId: ids.inClass, confidence: 0.7, source: 'camera', cameraId: ids.cam }), { marked: false, reason: 'daily_limit' });
  clock = new Date('2026-11-24T08:00:00Z');
  assert.ok((await a.mark({ studentId: ids.inClass, confidence: 0.7, source: 'camera', cameraId: ids.cam })).marked, 'a new day');
});

test('presence keeps the first and last sighting per student, day and camera', async () => {
  const p = new PresenceService(db, TZ);
  await p.seen(ids.other, ids.cam, new Date('2026-11-23T08:00:00Z'));
  await p.seen(ids.other, ids.cam, new Date('2026-11-23T08:00:10Z')); // throttled, kept in memory
  await p.seen(ids.other, null, new Date('2026-11-23T08:00:20Z'));
  await p.seen(ids.other, ids.cam, new Date('2026-11-23T12:00:00Z'));
  await p.flush();
  const rows = await db.getRepository(StudentPresence).find({ where: { studentId: ids.other }, order: { cameraKey: 'ASC' } });
  assert.equal(rows.length, 2);
  assert.equal(rows[0].cameraId, null);
  assert.equal(rows[1].firstSeenAt.toISOString(), '2026-11-23T08:00:00.000Z');
  assert.equal(rows[1].lastSeenAt.toISOString(), '2026-11-23T12:00:00.000Z');
});
