import type { AttendanceSource, DetectionEvent } from '@attendance/shared';
import type { AttendanceService, MarkContext, MarkResult } from '../attendance/attendance.service.js';
import type { PresenceService } from '../attendance/presence.service.js';
import type { RecognitionService, RecognizedFace } from '../recognition/recognize.service.js';
import type { Mat } from '../vision/index.js';
import { FaceTracker, type Observation, type TrackerOptions } from './tracker.js';

/** Eye distance (px) from which a face counts fully in a track's fusion; smaller faces embed worse and count less. */
const FULL_WEIGHT_INTER_OCULAR = 48;

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
 * student once a track's fused embedding is named. Marking happens here, never in RecognitionService, so a
 * single lucky frame cannot mark anyone, and a face that stays unknown over many frames never does.
 */
export class FrameAnalyzer {
  private readonly tracker: FaceTracker;
  private context: { ctx: MarkContext; roster: Set<number> | undefined; at: number } | null = null;
  private roster: Set<number> | undefined;

  constructor(
    private readonly deps: { recognition: RecognitionService; attendance: AttendanceService; presence: PresenceService; now: () => Date },
    private readonly cameraId: number | null,
    private readonly source: AttendanceSource,
    tracker: TrackerOptions,
  ) {
    // The fusion is searched like a single face, against the roster in force (set per frame below).
    this.tracker = new FaceTracker((fused) => this.deps.recognition.decideFused(fused, this.roster), tracker);
  }

  async analyze(image: Mat): Promise<FrameResult> {
    // The roster narrows the gallery search itself, so an outsider never hides an in-class runner-up.
    const { ctx, roster } = await this.markContext();
    this.roster = roster;
    const { faces, embeddings } = await this.deps.recognition.recognize(image, { mark: false, live: true, cameraId: this.cameraId, roster });
    const tracks = this.tracker.update(faces.map((f, i) => ({ box: f.box, observation: observe(f, embeddings[i]) })));
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
        if (!t.marked.has(id.studentId)) {
          // Remembered only once written (or refused by a rule): a failed write throws, and a later frame tries again.
          marks.push(await this.deps.attendance.mark({ studentId: id.studentId, confidence: round(id.similarity), source: this.source, cameraId: this.cameraId }, ctx));
          t.marked.add(id.studentId);
        }
        await this.deps.presence.seen(id.studentId, this.cameraId, at);
      }
      const rejected = f.verdict === 'spoof' || f.verdict === 'low_quality';
      out.push({
        box: f.box, trackId: t.id, verdict: id ? 'matched' : rejected ? f.verdict : 'unknown', studentId: id?.studentId ?? null,
        name: id ? this.deps.recognition.nameOf(id.studentId) : null,
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

/** A spoof vetoes its track; an unusable face adds nothing; a usable one joins the fusion, weighted by size and detector confidence. */
function observe(f: RecognizedFace, embedding: Float32Array | undefined): Observation {
  if (f.verdict === 'spoof') return { kind: 'spoof' };
  if (f.verdict === 'low_quality' || !embedding) return { kind: 'low_quality' };
  return { kind: 'face', embedding, weight: f.score * Math.min(1, f.quality.interOcular / FULL_WEIGHT_INTER_OCULAR) };
}

export const toDetectionEvent = (cameraId: number, faces: AnalyzedFace[], at: Date): DetectionEvent => ({
  cameraId, at: at.toISOString(),
  faces: faces.map((f) => ({ box: f.box, studentId: f.studentId, name: f.name, similarity: f.similarity, real: f.real })),
});

const round = (x: number) => Math.round(x * 10000) / 10000;
