/**
 * One liveness registration as a pure state machine: frames' analyses in, a verdict out. No I/O, no
 * models, an injected clock: the service feeds it and the tests drive it with hand-made faces.
 *
 * A step passes on one good frame with exactly one real face at that step's pose (yaw as seen by the
 * student: center |yaw| ≤ centerMaxYaw, left yaw < −turnMinYaw, right yaw > +turnMinYaw), in order.
 * Between frames the face must stay the same one: its box overlaps the previous one and its embedding
 * stays close (a cut to another photo or person fails), and every step's embedding must agree with the
 * earlier steps' (one person throughout).
 */
import { cosine, type FaceAnalysis } from '../vision/index.js';

export const LIVENESS_STEPS = ['center', 'left', 'right'] as const;
export type LivenessStep = (typeof LIVENESS_STEPS)[number];

export interface LivenessPolicy {
  centerMaxYaw: number;
  turnMinYaw: number;
  antispoofThreshold: number;
  /** Cosine every step's embedding must reach with each earlier step's. */
  samePersonThreshold: number;
  /** Cosine between consecutive frames' embeddings (small pose change, so higher than across steps). */
  trackMinSimilarity: number;
  /** IoU between consecutive frames' boxes. */
  trackMinIou: number;
  /** Longer without a usable face and the track is lost. */
  trackMaxGapMs: number;
  /** Frames judged a spoof before the session fails (one noisy frame is forgiven). */
  maxSpoofFrames: number;
  /** Frames analysed before the session fails (a client stuck in a loop). */
  maxFrames: number;
}

export type LivenessStatus = 'pending' | 'passed' | 'failed' | 'expired';

/** Why a frame did not pass the step: what the modal turns into a live hint. */
export type LivenessHint =
  | 'ok' | 'no_face' | 'multiple_faces' | 'move_closer' | 'too_dark' | 'too_bright' | 'hold_still' | 'face_the_camera'
  | 'look_straight' | 'turn_left' | 'turn_further_left' | 'turn_right' | 'turn_further_right' | 'not_real';

export type LivenessFailure = 'timeout' | 'spoof' | 'identity_changed' | 'continuity_lost' | 'too_many_frames' | 'duplicate' | 'cancelled';

export interface LivenessVerdict {
  status: LivenessStatus;
  /** The step the student should do now (null when finished). */
  step: LivenessStep | null;
  stepsDone: LivenessStep[];
  /** This frame completed a step. */
  accepted: boolean;
  hint: LivenessHint;
  failure: LivenessFailure | null;
  /** The single face's yaw in this frame, for the progress display. */
  yaw: number | null;
}

/** What the machine needs of a face (a FaceAnalysis with embedding and anti-spoofing). */
export type LivenessFace = Pick<FaceAnalysis, 'box' | 'score' | 'pose' | 'quality'> & { embedding?: Float32Array; real?: number };

/** A second face at least this fraction of the largest one's area counts as a second person in frame. */
const SECOND_FACE_AREA_RATIO = 0.25;
const QUALITY_HINTS: Record<string, LivenessHint> = {
  too_small: 'move_closer', too_blurry: 'hold_still', too_dark: 'too_dark', too_bright: 'too_bright', pose_too_large: 'face_the_camera',
};

/**
 * Everything a session knows, to carry it between engines (LivenessStore keeps it in Redis). Embeddings stay
 * Float32Arrays here; the store encrypts them.
 */
export interface LivenessSnapshot {
  status: LivenessStatus;
  failure: LivenessFailure | null;
  done: Array<{ step: LivenessStep; embedding: Float32Array; quality: number }>;
  last: { box: Box; embedding: Float32Array; at: number } | null;
  frames: number;
  spoofFrames: number;
  expiresAt: number;
}

export class SessionClosedError extends Error {
  constructor(readonly status: LivenessStatus) { super(`liveness session is already ${status}`); }
}

type Box = readonly [number, number, number, number];

export function iou(a: Box, b: Box): number {
  const x1 = Math.max(a[0], b[0]), y1 = Math.max(a[1], b[1]);
  const x2 = Math.min(a[0] + a[2], b[0] + b[2]), y2 = Math.min(a[1] + a[3], b[1] + b[3]);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

export class LivenessSessionState {
  private statusValue: LivenessStatus = 'pending';
  private failureValue: LivenessFailure | null = null;
  private readonly done: Array<{ step: LivenessStep; embedding: Float32Array; quality: number }> = [];
  private last: { box: Box; embedding: Float32Array; at: number } | null = null;
  private frames = 0;
  private spoofFrames = 0;

  constructor(
    private readonly policy: LivenessPolicy,
    readonly expiresAt: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A session carried over from another engine (or an earlier request) through its snapshot. */
  static restore(policy: LivenessPolicy, snap: LivenessSnapshot, now: () => number = Date.now): LivenessSessionState {
    const s = new LivenessSessionState(policy, snap.expiresAt, now);
    s.statusValue = snap.status;
    s.failureValue = snap.failure;
    s.done.push(...snap.done);
    s.last = snap.last;
    s.frames = snap.frames;
    s.spoofFrames = snap.spoofFrames;
    return s;
  }

  snapshot(): LivenessSnapshot {
    return {
      status: this.statusValue, failure: this.failureValue, done: this.done.map((d) => ({ ...d })), last: this.last,
      frames: this.frames, spoofFrames: this.spoofFrames, expiresAt: this.expiresAt,
    };
  }

  get status(): LivenessStatus { this.checkExpiry(); return this.statusValue; }
  get failure(): LivenessFailure | null { return this.failureValue; }
  get stepsDone(): LivenessStep[] { return this.done.map((d) => d.step); }
  get step(): LivenessStep | null { return this.statusValue === 'pending' ? LIVENESS_STEPS[this.done.length] : null; }

  /** The accepted steps' embeddings, once passed: what gets stored as templates. */
  get embeddings(): Array<{ pose: LivenessStep; embedding: Float32Array; quality: number }> {
    if (this.statusValue !== 'passed') throw new Error('liveness session has not passed');
    return this.done.map((d) => ({ pose: d.step, embedding: d.embedding, quality: d.quality }));
  }

  /** Ends a pending session from outside (a duplicate face at registration, a cancelled modal). */
  fail(reason: LivenessFailure): void {
    if (this.statusValue === 'pending' || this.statusValue === 'passed') this.end('failed', reason);
  }

  /** One analysed frame. A finished session refuses every further frame (single use). */
  frame(faces: readonly LivenessFace[]): LivenessVerdict {
    if (this.statusValue !== 'pending') throw new SessionClosedError(this.statusValue);
    if (this.checkExpiry()) return this.verdict('no_face', false, null);
    if (++this.frames > this.policy.maxFrames) { this.end('failed', 'too_many_frames'); return this.verdict('ok', false, null); }

    const largest = faces[0] ? area(faces[0].box) : 0;
    const present = faces.filter((f) => area(f.box) >= SECOND_FACE_AREA_RATIO * largest);
    if (present.length === 0) return this.verdict('no_face', false, null);
    // Two people in frame: the frame proves nothing about who is doing the turns; skip it.
    if (present.length > 1) return this.verdict('multiple_faces', false, null);
    const face = present[0];
    const yaw = face.pose.yaw;
    if (!face.embedding || face.real === undefined) throw new Error('liveness frames need embeddings and anti-spoofing');

    const at = this.now();
    if (this.last) {
      if (at - this.last.at > this.policy.trackMaxGapMs || iou(face.box, this.last.box) < this.policy.trackMinIou) {
        this.end('failed', 'continuity_lost');
        return this.verdict('ok', false, yaw);
      }
      if (cosine(face.embedding, this.last.embedding) < this.policy.trackMinSimilarity) {
        this.end('failed', 'identity_changed');
        return this.verdict('ok', false, yaw);
      }
    }
    this.last = { box: face.box, embedding: face.embedding, at };

    if (face.real < this.policy.antispoofThreshold) {
      if (++this.spoofFrames >= this.policy.maxSpoofFrames) this.end('failed', 'spoof');
      return this.verdict('not_real', false, yaw);
    }
    if (!face.quality.ok) return this.verdict(QUALITY_HINTS[face.quality.reasons[0]] ?? 'hold_still', false, yaw);

    const step = LIVENESS_STEPS[this.done.length];
    const poseHint = this.poseHint(step, yaw);
    if (poseHint) return this.verdict(poseHint, false, yaw);
    if (this.done.some((d) => cosine(d.embedding, face.embedding!) < this.policy.samePersonThreshold)) {
      this.end('failed', 'identity_changed');
      return this.verdict('ok', false, yaw);
    }
    this.done.push({ step, embedding: face.embedding, quality: face.score });
    if (this.done.length === LIVENESS_STEPS.length) this.statusValue = 'passed';
    return this.verdict('ok', true, yaw);
  }

  /** Null when the yaw fits the step; else what to tell the student. */
  private poseHint(step: LivenessStep, yaw: number): LivenessHint | null {
    const { centerMaxYaw: c, turnMinYaw: t } = this.policy;
    if (step === 'center') return Math.abs(yaw) <= c ? null : 'look_straight';
    if (step === 'left') return yaw < -t ? null : yaw < -c ? 'turn_further_left' : 'turn_left';
    return yaw > t ? null : yaw > c ? 'turn_further_right' : 'turn_right';
  }

  private checkExpiry(): boolean {
    if (this.statusValue === 'pending' && this.now() >= this.expiresAt) { this.end('expired', 'timeout'); return true; }
    return false;
  }

  private end(status: LivenessStatus, failure: LivenessFailure): void {
    this.statusValue = status;
    this.failureValue = failure;
  }

  private verdict(hint: LivenessHint, accepted: boolean, yaw: number | null): LivenessVerdict {
    return { status: this.statusValue, step: this.step, stepsDone: this.stepsDone, accepted, hint: this.statusValue === 'pending' ? hint : 'ok', failure: this.failureValue, yaw };
  }
}

const area = (b: Box) => b[2] * b[3];
