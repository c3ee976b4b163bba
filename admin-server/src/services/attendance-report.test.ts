import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeAttendanceReport, daysBetween, isoWeekday, type ReportInput } from './attendance-report.js';

// 2026-03-02 is a Monday.
const roster = [{ id: 1, name: 'Ada', rollNumber: 'A1' }, { id: 2, name: 'Ben', rollNumber: 'B2' }, { id: 3, name: 'Cy', rollNumber: 'C3' }];
const timetable = [
  { id: 10, weekday: 1, startTime: '09:00', endTime: '10:00', subject: 'Maths' },
  { id: 11, weekday: 1, startTime: '11:00', endTime: '12:00', subject: 'Art' },
  { id: 12, weekday: 3, startTime: '09:00', endTime: '10:00', subject: 'Maths' },
];

test('weekday and day range helpers', () => {
  assert.equal(isoWeekday('2026-03-02'), 1);
  assert.equal(isoWeekday('2026-03-08'), 7);
  assert.deepEqual(daysBetween('2026-02-27', '2026-03-02'), ['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
  assert.throws(() => daysBetween('2020-01-01', '2026-01-01'), RangeError);
});

test('a day: present, late and absent against roster and timetable', () => {
  const input: ReportInput = {
    roster, timetable, from: '2026-03-02', to: '2026-03-02',
    marks: [
      { studentId: 1, day: '2026-03-02', slot: 'session:10', status: 'present' },
      { studentId: 1, day: '2026-03-02', slot: 'session:11', status: 'present' },
      // Ben missed the first lesson and came late to the second.
      { studentId: 2, day: '2026-03-02', slot: 'session:11', status: 'late' },
      // A mark of a student not on the roster is ignored.
      { studentId: 99, day: '2026-03-02', slot: 'day', status: 'present' },
    ],
  };
  const r = computeAttendanceReport(input);
  assert.equal(r.days.length, 1);
  const d = r.days[0];
  assert.deepEqual(d.status, { 1: 'present', 2: 'late', 3: 'absent' });
  assert.deepEqual(d.sessionStatus[10], { 1: 'present', 2: 'absent', 3: 'absent' });
  assert.deepEqual(d.sessionStatus[11], { 1: 'present', 2: 'late', 3: 'absent' });
  assert.deepEqual(d.totals, { present: 1, late: 1, absent: 1, excused: 0 });
});

test('a whole-day mark (manual correction) is the final word', () => {
  const r = computeAttendanceReport({
    roster, timetable, from: '2026-03-02', to: '2026-03-02',
    marks: [
      { studentId: 2, day: '2026-03-02', slot: 'session:11', status: 'late' },
      { studentId: 2, day: '2026-03-02', slot: 'day', status: 'excused' },
      { studentId: 3, day: '2026-03-02', slot: 'day', status: 'present' },
    ],
  });
  assert.deepEqual(r.days[0].status, { 1: 'absent', 2: 'excused', 3: 'present' });
});

test('a period counts only timetabled weekdays, and rates exclude excused days', () => {
  const r = computeAttendanceReport({
    roster, timetable, from: '2026-03-02', to: '2026-03-08',
    marks: [
      { studentId: 1, day: '2026-03-02', slot: 'session:10', status: 'present' },
      { studentId: 1, day: '2026-03-04', slot: 'session:12', status: 'late' },
      { studentId: 2, day: '2026-03-04', slot: 'day', status: 'excused' },
      // Saturday is not a school day for this group.
      { studentId: 3, day: '2026-03-07', slot: 'day', status: 'present' },
    ],
  });
  assert.deepEqual(r.days.map((d) => d.day), ['2026-03-02', '2026-03-04']);
  const [ada, ben, cy] = r.students;
  assert.deepEqual(ada.counts, { present: 1, late: 1, absent: 0, excused: 0 });
  assert.equal(ada.rate, 1);
  assert.deepEqual(ben.counts, { present: 0, late: 0, absent: 1, excused: 1 });
  assert.equal(ben.rate, 0);
  assert.deepEqual(cy.counts, { present: 0, late: 0, absent: 2, excused: 0 });
});

test('a group without a timetable is expected Monday to Friday', () => {
  const r = computeAttendanceReport({ roster, timetable: [], from: '2026-03-02', to: '2026-03-08', marks: [] });
  assert.equal(r.days.length, 5);
  assert.equal(r.days[0].totals.absent, 3);
});
