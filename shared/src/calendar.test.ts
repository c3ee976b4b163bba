import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dayOff, type CalendarRange } from './calendar.js';

const entry = (kind: CalendarRange['kind'], startDay: string, endDay: string, classGroupId: number | null = null): CalendarRange =>
  ({ kind, name: `${kind} ${startDay}`, startDay, endDay, classGroupId });

test('no calendar: every day has lessons', () => {
  assert.equal(dayOff([], '2026-03-02', 1), null);
});

test('holidays and closures stop everyone, inclusive of both ends; a trip only its class', () => {
  const cal = [entry('holiday', '2026-04-01', '2026-04-03'), entry('closure', '2026-05-04', '2026-05-04'), entry('exception', '2026-06-10', '2026-06-11', 7)];
  assert.equal(dayOff(cal, '2026-03-31', 1), null);
  assert.equal(dayOff(cal, '2026-04-01', 1)?.kind, 'holiday');
  assert.equal(dayOff(cal, '2026-04-03', null)?.kind, 'holiday');
  assert.equal(dayOff(cal, '2026-05-04', 7)?.kind, 'closure');
  assert.equal(dayOff(cal, '2026-06-11', 7)?.kind, 'exception');
  assert.equal(dayOff(cal, '2026-06-11', 8), null, 'another class has its lessons');
  assert.equal(dayOff(cal, '2026-06-11', null), null, 'the school as a whole is open');
});

test('once a term exists, days outside every term are off', () => {
  const cal = [entry('term', '2026-01-05', '2026-03-27'), entry('term', '2026-04-13', '2026-07-17')];
  assert.equal(dayOff(cal, '2026-02-02', 1), null);
  assert.equal(dayOff(cal, '2026-04-06', 1)?.kind, 'out_of_term');
  assert.equal(dayOff(cal, '2026-04-13', 1), null);
});
