import { meanEmbedding } from '../matching/matcher.js';

/** Box as [x, y, width, height], as the detector reports it. */
export type Box = [number, number, number, number];

/** What one frame says about one face. */
export type Observation =
  /** A usable live face: its embedding joins the track's fusion with this weight. */
  | { kind: 'face'; embedding: Float32Array; weight: number }
  /** Too small, blurred or turned: it adds nothing, and takes nothing away. */
  | { kind: 'low_quality' }
  /** Judged a photo or screen: no name while it is in the track's window. */
  | { kind: 'spoof' };

export interface Identity { studentId: number; similarity: number }

/** The open-set decision on a track's fused embedding (the same rule as single images, see matcher.ts). */
export type DecideFused = (fused: Float32Array) => Identity | null;

export interface TrackerOptions {
  /** Usable frames fused before a track may be named. */
  votes: number;
  /** Frames remembered per track; the fusion uses the usable ones among them. */
  window: number;
  /** Minimum IoU for a detection to continue a track. */
  iou: number;
  /** Frames a track survives without a detection. */
  maxMissed: number;
}

export const TRACKER_DEFAULTS: TrackerOptions = { votes: 3, window: 5, iou: 0.3, maxMissed: 5 };

export interface Track {
  id: number;
  box: Box;
  missed: number;
  history: Observation[];
  /** Students this track already marked (a track may change identity when people swap places). */
  marked: Set<number>;
  /** The quality-weighted, normalised mean of the usable embeddings in the window (null: none yet). */
  fused: Float32Array | null;
  /** The decided identity, or null while evidence is insufficient or the track stays unknown. */
  identity: Identity | null;
}

export function iou(a: Box, b: Box): number {
  const x1 = Math.max(a[0], b[0]);
  const y1 = Math.max(a[1], b[1]);
  const x2 = Math.min(a[0] + a[2], b[0] + b[2]);
  const y2 = Math.min(a[1] + a[3], b[1] + b[3]);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

/** Quality-weighted mean of the usable embeddings, normalised; null when there are none. */
export function fuse(history: readonly Observation[]): Float32Array | null {
  const faces = history.filter((o) => o.kind === 'face');
  return faces.length ? meanEmbedding(faces.map((o) => o.embedding), faces.map((o) => o.weight)) : null;
}

/**
 * IoU tracker whose tracks decide, not their frames: a track is named only when `votes` usable frames
 * of its last `window` are fused and the fusion passes the open-set decision, and never while a spoof is
 * in its window. A track that stays unknown never names anyone; a student goes to at most one track per
 * frame (the most similar).
 */
export class FaceTracker {
  private tracks: Track[] = [];
  private nextId = 1;

  constructor(private readonly decideFused: DecideFused, private readonly opts: TrackerOptions = TRACKER_DEFAULTS) {}

  get active(): readonly Track[] { return this.tracks; }

  /** Feeds one analysed frame; returns the track of each detection, in order. */
  update(detections: ReadonlyArray<{ box: Box; observation: Observation }>): Track[] {
    const pairs: Array<{ d: number; t: Track; score: number }> = [];
    detections.forEach((det, d) => {
      for (const t of this.tracks) { const s = iou(det.box, t.box); if (s >= this.opts.iou) pairs.push({ d, t, score: s }); }
    });
    pairs.sort((a, b) => b.score - a.score);
    const assigned = new Array<Track | undefined>(detections.length);
    const used = new Set<Track>();
    for (const p of pairs) {
      if (assigned[p.d] || used.has(p.t)) continue;
      assigned[p.d] = p.t;
      used.add(p.t);
    }
    for (const t of this.tracks) if (!used.has(t)) t.missed++;
    this.tracks = this.tracks.filter((t) => used.has(t) || t.missed <= this.opts.maxMissed);
    const result = detections.map((det, d) => {
      let t = assigned[d];
      if (!t) {
        t = { id: this.nextId++, box: det.box, missed: 0, history: [], marked: new Set(), fused: null, identity: null };
        this.tracks.push(t);
      }
      t.box = det.box;
      t.missed = 0;
      t.history.push(det.observation);
      if (t.history.length > this.opts.window) t.history.shift();
      t.fused = fuse(t.history);
      const usable = t.history.filter((o) => o.kind === 'face').length;
      const spoofed = t.history.some((o) => o.kind === 'spoof');
      t.identity = !spoofed && usable >= this.opts.votes && t.fused ? this.decideFused(t.fused) : null;
      return t;
    });
    this.unique(result);
    return result;
  }

  reset(): void { this.tracks = []; }

  /** Two tracks in one frame cannot be the same student: the less similar one stays unnamed. */
  private unique(tracks: Track[]): void {
    const owner = new Map<number, Track>();
    for (const t of tracks) {
      if (!t.identity) continue;
      const other = owner.get(t.identity.studentId);
      if (!other) { owner.set(t.identity.studentId, t); continue; }
      const [keep, lose] = other.identity!.similarity >= t.identity.similarity ? [other, t] : [t, other];
      owner.set(t.identity.studentId, keep);
      lose.identity = null;
    }
  }
}
