// A camera track remembers a student as marked only once the mark is written: a write that fails
// (a busy database) is tried again on the next frame instead of being lost.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DatabaseBusyError } from '@attendance/shared';
import type { AttendanceService, MarkRequest } from '../attendance/attendance.service.js';
import type { PresenceService } from '../attendance/presence.service.js';
import type { RecognitionService, RecognizedFace } from '../recognition/recognize.service.js';
import type { Mat } from '../vision/index.js';
import { FrameAnalyzer } from './frame-analyzer.js';

test('a mark that failed to write is tried again on the next frame, and once written never again', async () => {
  const face = {
    box: [10, 10, 100, 100], score: 0.9, landmarks: [], real: 0.99, verdict: 'matched', candidates: [],
    quality: { ok: true, reasons: [], interOcular: 60 }, match: { student_id: 7, name: 'Ada', similarity: 0.8 },
  } as unknown as RecognizedFace;
  const recognition = {
    recognize: async () => ({ faces: [face], embeddings: [Float32Array.of(1, 0, 0)], marks: [] }),
    decideFused: () => ({ studentId: 7, similarity: 0.8 }),
    nameOf: () => 'Ada',
  } as unknown as RecognitionService;
  const writes: MarkRequest[] = [];
  const attendance = {
    contextFor: async () => ({ day: '2026-03-02', slot: 'day', status: 'present', session: null }),
    rosterFor: async () => undefined,
    mark: async (req: MarkRequest) => {
      writes.push(req);
      if (writes.length === 1) throw new DatabaseBusyError('the database stayed locked by another process');
      return { marked: true, record: { studentId: req.studentId } };
    },
  } as unknown as AttendanceService;
  const presence = { seen: async () => undefined } as unknown as PresenceService;
  const analyzer = new FrameAnalyzer({ recognition, attendance, presence, now: () => new Date() }, 1, 'camera', { votes: 1, window: 5, iou: 0.3, maxMissed: 5 });
  const frame = {} as Mat;

  await assert.rejects(analyzer.analyze(frame), DatabaseBusyError);
  const second = await analyzer.analyze(frame);
  assert.deepEqual(second.marks.map((m) => m.marked), [true], 'the same track marks again after the failed write');
  const third = await analyzer.analyze(frame);
  assert.deepEqual(third.marks, [], 'a written mark is not written twice');
  assert.equal(writes.length, 2);
});
