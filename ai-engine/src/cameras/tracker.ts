/** Box as [x, y, width, height], as the detector reports it. */
export type Box = [number, number, number, number];

/** What one frame says about one face. */
export type Observation =
  | { kind: 'match'; studentId: number; similarity: number }
  | { kind: 'unknown' }
  | { kind: 'rejected' }; // failed quality or anti-spoofing: it may never name anyone

export interface TrackerOptions {
  /** Agreeing frames needed before a track is named. */
  votes: number;
  /** Frames remembered per track; a name needs `votes` of them. */
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
  /** The decided identity, or null while evidence is insufficient. */
  identity: { studentId: number; similarity: number } | null;
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

/**
 * IoU tracker with per-track voting. A track is named only when `votes` of its last `window`
 * observations agree on one student and none of them was rejected (a spoof or unusable face),
 * and a student is given to at most one track per frame (the most similar).
 */
export class FaceTracker {
  private tracks: Track[] = [];
  private nextId = 1;

  constructor(private readonly opts: TrackerOptions = TRACKER_DEFAULTS) {}

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
        t = { id: this.nextId++, box: det.box, missed: 0, history: [], marked: new Set(), identity: null };
        this.tracks.push(t);
      }
      t.box = det.box;
      t.missed = 0;
      t.history.push(det.observation);
      if (t.history.length > this.opts.window) t.history.shift();
      t.identity = this.decide(t.history);
      return t;
    });
    this.unique(result);
    return result;
  }

  reset(): void { this.tracks = []; }

  private decide(history: readonly Observation[]): Track['identity'] {
    if (history.some((o) => o.kind === 'rejected')) return null;
    const votes = new Map<number, number[]>();
    for (const o of history) if (o.kind === 'match') (votes.get(o.studentId) ?? votes.set(o.studentId, []).get(o.studentId)!).push(o.similarity);
    let best: Track['identity'] = null;
    let bestCount = 0;
    for (const [studentId, sims] of votes) {
      if (sims.length < this.opts.votes || sims.length <= bestCount) continue;
      bestCount = sims.length;
      best = { studentId, similarity: sims.reduce((a, b) => a + b, 0) / sims.length };
    }
    return best;
  }

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
