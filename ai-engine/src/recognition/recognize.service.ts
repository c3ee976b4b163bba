import type { AttendanceSource } from '@attendance/shared';
import type { AttendanceService, MarkResult } from '../attendance/attendance.service.js';
import type { GalleryService } from '../matching/gallery.service.js';
import type { Metrics } from '../observability/metrics.js';
import type { FaceAnalysis, Mat, VisionPipeline } from '../vision/index.js';

export type FaceVerdict = 'matched' | 'unknown' | 'spoof' | 'low_quality';

export interface RecognizedFace {
  box: [number, number, number, number];
  score: number;
  landmarks: [number, number][];
  pose: FaceAnalysis['pose'];
  quality: FaceAnalysis['quality'];
  real: number | null;
  verdict: FaceVerdict;
  /** Why an unknown face is unknown: below_threshold, ambiguous, empty_gallery, duplicate_in_frame. */
  reason?: string;
  match: { student_id: number; name: string | null; similarity: number } | null;
  candidates: Array<{ student_id: number; name: string | null; similarity: number }>;
}

export interface RecognizeOptions {
  mark?: boolean;
  cameraId?: number | null;
  source?: AttendanceSource;
  /** Search only these students (a class session's roster); when marking, the camera's roster is used anyway. */
  roster?: ReadonlySet<number>;
  /**
   * A live source (camera, laptop, device frames): anti-spoofing turns photos and screens away. An uploaded
   * still IS a photo, so without marking it is judged on its face alone (P(real) is still reported): the
   * anti-spoof model calls 7% of ordinary news photos spoofs (README). Default: live when marking or when
   * the source is a camera or laptop.
   */
  live?: boolean;
}

/**
 * Image → every face, judged. Faces that fail quality, or anti-spoofing from a live source, are reported but
 * never named, and each student is given to at most one face per frame (the most similar).
 */
export class RecognitionService {
  constructor(
    private readonly vision: VisionPipeline,
    private readonly gallery: GalleryService,
    private readonly attendance: AttendanceService,
    private readonly metrics: Metrics,
    private readonly antispoofThreshold: number,
  ) {}

  /** Through the engine's bounded analysis line (503 when full); decoded off the event loop and released after. */
  async recognizeBytes(bytes: Buffer | string, opts: RecognizeOptions = {}) {
    return this.vision.withImage(bytes, (image) => this.recognize(image, opts));
  }

  /** `embeddings[i]` is faces[i]'s (for track fusion; never sent to clients). */
  async recognize(image: Mat, opts: RecognizeOptions = {}): Promise<{ faces: RecognizedFace[]; marks: MarkResult[]; embeddings: Array<Float32Array | undefined> }> {
    const t0 = performance.now();
    const analyses = await this.vision.analyze(image, { embed: true, antispoof: true });
    this.metrics.stageMs.observe({ stage: 'analyze' }, performance.now() - t0);
    const ctx = opts.mark ? await this.attendance.contextFor(opts.cameraId) : undefined;
    const roster = opts.roster ?? (ctx ? await this.attendance.rosterFor(ctx) : undefined);
    const live = opts.live ?? (!!opts.mark || opts.source === 'camera' || opts.source === 'laptop');
    const faces = analyses.map((a) => this.judge(a, live, roster));
    assignUniquely(faces);
    const marks: MarkResult[] = [];
    if (opts.mark) {
      for (const f of faces) {
        if (f.verdict !== 'matched' || !f.match) continue;
        marks.push(await this.attendance.mark({ studentId: f.match.student_id, confidence: f.match.similarity, source: opts.source ?? 'api', cameraId: opts.cameraId }, ctx));
      }
    }
    return { faces, marks, embeddings: analyses.map((a) => a.embedding) };
  }

  /** The open-set decision on a track's fused embedding: the same rule as one face. */
  decideFused(fused: Float32Array, roster?: ReadonlySet<number>): { studentId: number; similarity: number } | null {
    const d = this.gallery.match(fused, roster);
    return d.kind === 'match' ? { studentId: d.studentId, similarity: d.similarity } : null;
  }

  nameOf(studentId: number): string | null { return this.gallery.nameOf(studentId); }

  private judge(a: FaceAnalysis, live: boolean, roster?: ReadonlySet<number>): RecognizedFace {
    const base = { box: a.box, score: a.score, landmarks: a.landmarks, pose: a.pose, quality: a.quality, real: a.real ?? null };
    const decision = this.gallery.match(a.embedding!, roster);
    const candidates = decision.candidates.map((c) => ({ student_id: c.studentId, name: this.gallery.nameOf(c.studentId), similarity: round(c.similarity) }));
    if (live && a.real !== undefined && a.real < this.antispoofThreshold) return { ...base, verdict: 'spoof', match: null, candidates };
    // A live source has more frames to wait for; an uploaded still is judged on what it has, unless its face is too
    // small to embed: turned, soft or dim stills are decided by the threshold (refusing them would have cost 6% of
    // enrolled people on LFW; 1 of its 133 such strangers was named).
    if (!a.quality.ok && (live || a.quality.reasons.includes('too_small'))) return { ...base, verdict: 'low_quality', reason: a.quality.reasons.join(','), match: null, candidates };
    if (decision.kind === 'unknown') return { ...base, verdict: 'unknown', reason: decision.reason, match: null, candidates };
    return { ...base, verdict: 'matched', match: { student_id: decision.studentId, name: this.gallery.nameOf(decision.studentId), similarity: round(decision.similarity) }, candidates };
  }
}

/** Two faces cannot both be the same student: the more similar keeps the name, the other becomes unknown. */
export function assignUniquely(faces: RecognizedFace[]): void {
  const best = new Map<number, RecognizedFace>();
  for (const f of faces) {
    if (!f.match) continue;
    const other = best.get(f.match.student_id);
    if (!other) { best.set(f.match.student_id, f); continue; }
    const [keep, lose] = other.match!.similarity >= f.match.similarity ? [other, f] : [f, other];
    best.set(f.match.student_id, keep);
    Object.assign(lose, { verdict: 'unknown', reason: 'duplicate_in_frame', match: null });
  }
}

const round = (x: number) => Math.round(x * 10000) / 10000;
