import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseClockTime, schoolClock, schoolDay } from './time.js';

test('the school day follows the configured time zone, not UTC', () => {
  const lateEvening = new Date('2026-03-02T23:30:00Z'); // Monday 23:30 UTC
  assert.equal(schoolDay(lateEvening, 'UTC'), '2026-03-02');
  assert.equal(schoolDay(lateEvening, 'Asia/Tokyo'), '2026-03-03');
  assert.equal(schoolDay(lateEvening, 'America/New_York'), '2026-03-02');
  assert.equal(schoolDay(new Date('2026-03-03T03:00:00Z'), 'America/Los_Angeles'), '2026-03-02');
});

test('school clock gives ISO weekday and minutes in the zone', () => {
  assert.deepEqual(schoolClock(new Date('2026-03-02T08:15:00Z'), 'Europe/London'), { weekday: 1, minutes: 8 * 60 + 15 });
  assert.deepEqual(schoolClock(new Date('2026-03-01T23:30:00Z'), 'Asia/Tokyo'), { weekday: 1, minutes: 8 * 60 + 30 });
  assert.equal(parseClockTime('08:45'), 525);
  assert.throws(() => parseClockTime('8:45'), RangeError);
  assert.throws(() => parseClockTime('24:00'), RangeError);
});
