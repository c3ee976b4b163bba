import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCalendarEntry } from './calendar.service.js';

test('a calendar entry is checked field by field before saving', () => {
  assert.deepEqual(checkCalendarEntry({ kind: 'holiday', startDay: '2026-04-01', endDay: '2026-04-03', classGroupId: null }), {});
  assert.deepEqual(checkCalendarEntry({ kind: 'exception', startDay: '2026-04-01', endDay: '2026-04-01', classGroupId: '3' }), {});
  assert.ok(checkCalendarEntry({ kind: 'party', startDay: '2026-04-01', endDay: '2026-04-01' }).kind);
  assert.ok(checkCalendarEntry({ kind: 'holiday', startDay: '2026-4-1', endDay: '2026-04-01' }).startDay);
  assert.ok(checkCalendarEntry({ kind: 'holiday', startDay: '2026-02-30x', endDay: '2026-04-01' }).startDay);
  assert.match(checkCalendarEntry({ kind: 'holiday', startDay: '2026-04-03', endDay: '2026-04-01' }).endDay, /before the first/);
  assert.match(checkCalendarEntry({ kind: 'exception', startDay: '2026-04-01', endDay: '2026-04-01', classGroupId: '' }).classGroupId, /one class group/);
  assert.match(checkCalendarEntry({ kind: 'holiday', startDay: '2026-04-01', endDay: '2026-04-01', classGroupId: '3' }).classGroupId, /only an exception/);
});
