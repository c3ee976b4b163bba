import type { AttendanceSource, DetectionEvent } from '@attendance/shared';
import type { AttendanceService, MarkContext, MarkResult } from '../attendance/attendance.service.js';
import type { PresenceService } from '../attendance/presence.service.js';
import type { RecognitionService, RecognizedFace } from '../recognition/recognize.service.js';
import type { Mat } from '../vision/index.js';
import { FaceTracker, type Observation, type TrackerOptions } from './tracker.js';

/** The timetable context is re-read this often, not per frame. */
const CONTEXT_TTL_MS = 10_000;

export interface AnalyzedFace {
  box: [number, number, number, number];
  trackId: number;
  verdict: RecognizedFace['verdict'];
  studentId: number | null;
  name: string | null;
  similarity: number | null;
  real: number | null;
}

export interface FrameResult { faces: AnalyzedFace[]; marks: MarkResult[]; recognitions: number }

/**
 * One camera's (or laptop session's) decisions: recognise a frame, feed the tracker, and mark a
 * student once a track has voted for them. Marking happens here, never in RecognitionService, so a
 * single lucky frame cannot mark anyone.
 */
export class FrameAnalyzer {
  private readonly tracker: FaceTracker;
  private context: { ctx: MarkContext; roster: Set<number> | undefined; at: number } | null = null;

  constructor(
    private readonly deps: { recognition: RecognitionService; attendance: AttendanceService; presence: PresenceService; now: () => Date },
    private readonly cameraId: number | null,
    private readonly source: AttendanceSource,
    tracker: TrackerOptions,
  ) {
    this.tracker = new FaceTracker(tracker);
  }

  async analyze(image: Mat): Promise<FrameResult> {
    // The roster narrows the gallery search itself, so an outsider never hides an in-class runner-up.
    const { ctx, roster } = await this.markContext();
    const { faces } = await this.deps.recognition.recognize(image, { mark: false, cameraId: this.cameraId, roster });
    const tracks = this.tracker.update(faces.map((f) => ({ box: f.box, observation: observe(f, roster) })));
    const marks: MarkResult[] = [];
    const at = this.deps.now();
    let recognitions = 0;
    const out: AnalyzedFace[] = [];
    for (let i = 0; i < faces.length; i++) {
      const f = faces[i];
      const t = tracks[i];
      const id = t.identity;
      if (id) {
        recognitions++;
        await this.deps.presence.seen(id.studentId, this.cameraId, at);
        if (!t.marked.has(id.studentId)) {
          t.marked.add(id.studentId);
          marks.push(await this.deps.attendance.mark({ studentId: id.studentId, confidence: round(id.similarity), source: this.source, cameraId: this.cameraId }, ctx));
        }
      }
      const rejected = f.verdict === 'spoof' || f.verdict === 'low_quality';
      out.push({
        box: f.box, trackId: t.id, verdict: id ? 'matched' : rejected ? f.verdict : 'unknown', studentId: id?.studentId ?? null,
        name: id ? (f.match?.student_id === id.studentId ? f.match.name : f.candidates.find((c) => c.student_id === id.studentId)?.name ?? null) : null,
        similarity: id ? round(id.similarity) : null, real: f.real,
      });
    }
    return { faces: out, marks, recognitions };
  }

  private async markContext(): Promise<{ ctx: MarkContext; roster: Set<number> | undefined }> {
    const now = Date.now();
    if (!this.context || now - this.context.at > CONTEXT_TTL_MS) {
      const ctx = await this.deps.attendance.contextFor(this.cameraId, this.deps.now());
      this.context = { ctx, roster: await this.deps.attendance.rosterFor(ctx), at: now };
    }
    return this.context;
  }
}

/** Spoofs and unusable faces count against a track; a match outside the class in session is just unknown. */
function observe(f: RecognizedFace, roster: Set<number> | undefined): Observation {
  if (f.verdict === 'spoof' || f.verdict === 'low_quality') return { kind: 'rejected' };
  if (f.verdict !== 'matched' || !f.match || (roster && !roster.has(f.match.student_id))) return { kind: 'unknown' };
  return { kind: 'match', studentId: f.match.student_id, similarity: f.match.similarity };
}

export const toDetectionEvent = (cameraId: number, faces: AnalyzedFace[], at: Date): DetectionEvent => ({
  cameraId, at: at.toISOString(),
  faces: faces.map((f) => ({ box: f.box, studentId: f.studentId, name: f.name, similarity: f.similarity, real: f.real })),
});

const round = (x: number) => Math.round(x * 10000) / 10000;
