import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeAudit, type AuditNames } from './audit-words.js';

const names: AuditNames = {
  users: new Map([[2, { name: 'Ana Ruiz', role: 'staff' }], [3, { name: 'Tom Teacher', role: 'teacher' }]]),
  students: new Map([[7, 'Ana López (7A)']]),
  lessons: new Map([[4, '7A Maths (Mon 09:00)']]),
  cameras: new Map([[1, 'camera Room 12']]),
  apiKeys: new Map(),
};
const row = (action: string, extra: Partial<Parameters<typeof describeAudit>[0]> = {}) =>
  ({ action, actorId: 2, actorName: 'aruiz', entity: null, entityId: null, details: null, ...extra });

test('the actions of the audit log read as sentences naming who and what', () => {
  assert.equal(describeAudit(row('student.deleted', { entity: 'student', entityId: '7' }), names), 'Ana Ruiz (staff) deleted student Ana López (7A)');
  assert.equal(describeAudit(row('attendance.corrected', { entity: 'attendance', entityId: '99', details: JSON.stringify({ studentId: 7, day: '2026-03-02', slot: 'session:4', from: 'absent', to: 'late' }) }), names),
    'Ana Ruiz (staff) corrected the mark of Ana López (7A) on 2026-03-02 in 7A Maths (Mon 09:00) from absent to late');
  assert.equal(describeAudit(row('user.updated', { entity: 'user', entityId: '3', details: JSON.stringify({ roleChanged: { from: 'teacher', to: 'staff' }, passwordReset: true }) }), names),
    'Ana Ruiz (staff) updated user Tom Teacher: role teacher → staff, password reset');
  assert.equal(describeAudit(row('liveness.failed', { actorId: null, actorName: null, entity: 'student', entityId: '7', details: JSON.stringify({ failure: 'duplicate' }) }), names),
    'The face registration check of Ana López (7A) failed (duplicate)');
  assert.equal(describeAudit(row('retention.applied', { actorId: null, actorName: 'retention-job', details: JSON.stringify({ studentsErased: [1, 2], attendanceRows: 1, attendanceCutoff: '2024-09-01' }) }), names),
    'The retention job applied the retention policy: face data of 2 students erased, 1 attendance mark before 2024-09-01 summarised');
});

test('a record no longer there, an unknown action or details that are not JSON still give a sentence', () => {
  assert.equal(describeAudit(row('biometric.deleted', { entity: 'student', entityId: '8', details: '{"templates":3}' }), names), 'Ana Ruiz (staff) deleted the face data of student #8 (3 face samples)');
  assert.equal(describeAudit(row('webhook.sent', { actorId: 40, entity: 'webhook', entityId: '5' }), names), 'aruiz: webhook.sent webhook #5');
  assert.equal(describeAudit(row('roster.imported', { details: 'not json' }), names), 'Ana Ruiz (staff) imported a roster: 0 changes, 0 unchanged');
});
