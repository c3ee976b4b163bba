// A lesson bound to its room rather than a camera (SQLite file): the room's cameras run it (the engine's own
// AttendanceService marks into the lesson), its teacher may see and start them, and a second lesson in the
// same room at the same time is refused.
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { In, type DataSource } from 'typeorm';
import { Camera, ClassGroup, ClassSession, Student, User, openDatabase, teacherScope } from '@attendance/shared';
import { AttendanceService } from '../../ai-engine/src/attendance/attendance.service.js';
import { Metrics } from '../../ai-engine/src/observability/metrics.js';
import { Publisher } from '../../ai-engine/src/transport/ws/publisher.js';
import { RosterImportService } from '../../admin-server/src/services/roster-import.service.js';
import { lessonFieldErrors } from '../../admin-server/src/services/timetable.js';

let ds: DataSource;
let teacher: User;
let group: ClassGroup;
let lesson: ClassSession;
const cams: Record<string, Camera> = {};

before(async () => {
  ({ dataSource: ds } = await openDatabase({ sqliteFile: path.join(process.env.TEST_TMP_DIR ?? os.tmpdir(), `lesson-room-${process.pid}.sqlite`) }));
  teacher = await ds.getRepository(User).save({ username: 'teacher9', displayName: 'T', role: 'teacher', active: true, passwordHash: 'x' });
  group = await ds.getRepository(ClassGroup).save({ name: '9C', teacherId: teacher.id });
  for (const [name, room] of [['Front 9', '9'], ['Door 9', '9'], ['Front 10', '10']]) cams[name] = await ds.getRepository(Camera).save({ name, room, source: 'usb:0', enabled: false });
  lesson = await ds.getRepository(ClassSession).save({ classGroupId: group.id, cameraId: null, room: '9', weekday: 1, startTime: '09:00', endTime: '10:00', lateAfterMinutes: 10, subject: 'Art' });
});
after(async () => ds?.destroy());

test('the teacher of a lesson in room 9 sees and drives the cameras of room 9, not the others', async () => {
  const scope = await teacherScope(ds, teacher.id);
  assert.deepEqual(scope.cameraIds, [cams['Front 9'].id, cams['Door 9'].id].sort((a, b) => a - b));
});

test('a camera of the lesson\'s room marks into the lesson; a camera of another room marks the whole day', async () => {
  const at = new Date('2026-11-23T09:15:00Z'); // a Monday, 15 minutes in: late
  const engine = new AttendanceService(ds, 'UTC', new Publisher(), new Metrics(), () => at);
  const [a, b] = await ds.getRepository(Student).save([{ name: 'Ivy', rollNumber: 'R9-1', classGroupId: group.id, active: true }, { name: 'Joe', rollNumber: 'R9-2', classGroupId: group.id, active: true }]);
  const inRoom = await engine.mark({ studentId: a.id, confidence: 0.9, source: 'camera', cameraId: cams['Door 9'].id });
  assert.ok(inRoom.marked);
  assert.deepEqual([inRoom.record.slot, inRoom.record.status], [`session:${lesson.id}`, 'late']);
  const elsewhere = await engine.mark({ studentId: b.id, confidence: 0.9, source: 'camera', cameraId: cams['Front 10'].id });
  assert.ok(elsewhere.marked);
  assert.equal(elsewhere.record.slot, 'day');
});

test('a second lesson in the same room at the same time is refused, with the reason', async () => {
  const other = await ds.getRepository(ClassGroup).save({ name: '9D' });
  const errors = await lessonFieldErrors(ds.manager, { classGroupId: other.id, cameraId: null, room: '9', weekday: 1, startTime: '09:30', endTime: '10:30' });
  assert.match(errors.startTime ?? '', /overlaps the lesson 09:00–10:00 of the same room/);
  assert.deepEqual(await lessonFieldErrors(ds.manager, { classGroupId: other.id, cameraId: null, room: '10', weekday: 1, startTime: '09:30', endTime: '10:30' }), {});
});

test('timetable.csv: a `room` column binds the lesson to that room (a `camera` column to one camera)', async () => {
  const files = {
    'classes.csv': 'name,description,teacher\n10A,,\n',
    'timetable.csv': 'class,weekday,start,end,subject,room,camera,late_after_minutes\n10A,Tue,11:00,12:00,Music,9,,10\n10A,Wed,11:00,12:00,Drama,,Front 10,10\n',
  };
  const report = await new RosterImportService(ds).run(files, { dryRun: false });
  assert.deepEqual(report.errors, []);
  const imported = await ds.getRepository(ClassSession).find({ where: { subject: In(['Music', 'Drama']) }, order: { weekday: 'ASC' } });
  assert.deepEqual(imported.map((l) => [l.subject, l.room, l.cameraId]), [['Music', '9', null], ['Drama', null, cams['Front 10'].id]]);
  assert.deepEqual((await new RosterImportService(ds).run(files, { dryRun: true })).changes, [], 'a re-import changes nothing');
});
