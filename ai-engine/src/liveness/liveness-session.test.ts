import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LivenessSessionState, SessionClosedError, iou, type LivenessFace, type LivenessPolicy } from './liveness-session.js';

const POLICY: LivenessPolicy = {
  centerMaxYaw: 5, turnMinYaw: 15, antispoofThreshold: 0.5, samePersonThreshold: 0.5, trackMinSimilarity: 0.6,
  trackMinIou: 0.3, trackMaxGapMs: 2000, maxSpoofFrames: 3, maxFrames: 100,
};

/** A unit vector near `base` (person A = axis 0, person B = axis 1), rotated by `jitter` toward axis 2. */
function embedding(person: 0 | 1, jitter = 0.1): Float32Array {
  const v = new Float32Array(128);
  v[person] = Math.cos(jitter);
  v[2] = Math.sin(jitter);
  return v;
}

function face(yaw: number, o: { person?: 0 | 1; real?: number; box?: [number, number, number, number]; ok?: boolean; reasons?: string[] } = {}): LivenessFace {
  return {
    box: o.box ?? [200, 100, 120, 150], score: 0.9, pose: { yaw, pitch: 0, roll: 0 },
    quality: { ok: o.ok ?? true, reasons: o.reasons ?? [], interOcular: 50, sharpness: 200, brightness: 120 },
    embedding: embedding(o.person ?? 0), real: o.real ?? 0.95,
  };
}

function session(ttlMs = 60_000) {
  const clock = { t: 1_000_000 };
  const s = new LivenessSessionState(POLICY, clock.t + ttlMs, () => clock.t);
  const feed = (...faces: LivenessFace[]) => { clock.t += 300; return s.frame(faces); };
  return { s, clock, feed };
}

describe('liveness session state machine', () => {
  it('passes center → left → right, in order, and yields one embedding per pose', () => {
    const { s, feed } = session();
    assert.equal(feed(face(20)).hint, 'look_straight');
    assert.equal(feed(face(2)).accepted, true);
    assert.equal(feed(face(-8)).hint, 'turn_further_left');
    assert.equal(feed(face(3)).hint, 'turn_left');
    const left = feed(face(-22));
    assert.deepEqual([left.accepted, left.stepsDone, left.step], [true, ['center', 'left'], 'right']);
    assert.equal(feed(face(10)).hint, 'turn_further_right');
    const right = feed(face(25));
    assert.deepEqual([right.status, right.step, right.failure], ['passed', null, null]);
    assert.deepEqual(s.embeddings.map((e) => e.pose), ['center', 'left', 'right']);
  });

  it('carries on from a snapshot as if never interrupted (another engine serves the next frame)', () => {
    const { s, clock, feed } = session();
    feed(face(2));
    feed(face(-22, { real: 0.1 }));
    const moved = LivenessSessionState.restore(POLICY, structuredClone(s.snapshot()), () => clock.t);
    assert.deepEqual([moved.status, moved.step, moved.stepsDone], ['pending', 'left', ['center']]);
    clock.t += 300;
    assert.equal(moved.frame([face(-22)]).accepted, true);
    // The track carried over too: a cut to another person is still caught after the move.
    clock.t += 300;
    assert.equal(moved.frame([face(25, { person: 1 })]).failure, 'identity_changed');
  });

  it('does not count a turn done out of order', () => {
    const { feed } = session();
    feed(face(0));
    const r = feed(face(25)); // right before left
    assert.deepEqual([r.accepted, r.step, r.hint], [false, 'left', 'turn_left']);
    assert.equal(feed(face(-25)).accepted, true);
  });

  it('expires at its time limit, and refuses frames after that', () => {
    const { s, clock, feed } = session(5_000);
    feed(face(0));
    clock.t += 5_000;
    const r = feed(face(-25));
    assert.deepEqual([r.status, r.failure, r.accepted], ['expired', 'timeout', false]);
    assert.throws(() => feed(face(25)), SessionClosedError);
    assert.equal(s.status, 'expired');
  });

  it('reports an expired session without a frame (status read after the deadline)', () => {
    const { s, clock } = session(1_000);
    clock.t += 1_000;
    assert.equal(s.status, 'expired');
    assert.throws(() => s.frame([face(0)]), SessionClosedError);
  });

  it('fails when another person appears mid-session in the same place', () => {
    const { feed } = session();
    feed(face(0));
    const r = feed(face(-25, { person: 1 }));
    assert.deepEqual([r.status, r.failure], ['failed', 'identity_changed']);
  });

  it('fails when the face jumps elsewhere in the frame (a cut to another photo)', () => {
    const { feed } = session();
    feed(face(0));
    const r = feed(face(-25, { box: [450, 300, 120, 150] }));
    assert.deepEqual([r.status, r.failure], ['failed', 'continuity_lost']);
  });

  it('fails when the face is lost for longer than the tracking gap', () => {
    const { clock, feed } = session();
    feed(face(0));
    clock.t += POLICY.trackMaxGapMs;
    assert.equal(feed(face(-25)).failure, 'continuity_lost');
  });

  it('fails when a step embedding disagrees with earlier steps though each frame-to-frame change is small', () => {
    const s = new LivenessSessionState({ ...POLICY, trackMinSimilarity: 0 }, Infinity, () => 0);
    s.frame([face(0)]);
    const r = s.frame([face(-25, { person: 1 })]);
    assert.equal(r.failure, 'identity_changed');
  });

  it('skips frames with two faces and says so', () => {
    const { feed } = session();
    const r = feed(face(0), face(0, { person: 1, box: [400, 100, 110, 140] }));
    assert.deepEqual([r.hint, r.accepted, r.status, r.stepsDone], ['multiple_faces', false, 'pending', []]);
    // A tiny background face is not a second person.
    assert.equal(feed(face(0), face(0, { person: 1, box: [10, 10, 30, 30] })).accepted, true);
  });

  it('does not pass a step on a face judged a spoof, and fails after repeated spoof frames', () => {
    const { feed } = session();
    const r = feed(face(0, { real: 0.2 }));
    assert.deepEqual([r.hint, r.accepted, r.status], ['not_real', false, 'pending']);
    feed(face(0, { real: 0.49 }));
    const last = feed(face(0, { real: 0.1 }));
    assert.deepEqual([last.status, last.failure], ['failed', 'spoof']);
  });

  it('turns quality problems into hints without passing the step', () => {
    const { feed } = session();
    assert.equal(feed(face(0, { ok: false, reasons: ['too_small'] })).hint, 'move_closer');
    assert.equal(feed(face(0, { ok: false, reasons: ['too_dark'] })).hint, 'too_dark');
    assert.equal(feed(face(0, { ok: false, reasons: ['too_blurry'] })).hint, 'hold_still');
    assert.equal(feed().hint, 'no_face');
  });

  it('is single-use: a finished session refuses a replayed frame', () => {
    const { s, feed } = session();
    feed(face(0)); feed(face(-25)); feed(face(25));
    assert.equal(s.status, 'passed');
    assert.throws(() => feed(face(0)), (err: unknown) => err instanceof SessionClosedError && err.status === 'passed');
  });

  it('fails after too many frames', () => {
    const s = new LivenessSessionState({ ...POLICY, maxFrames: 2 }, Infinity, () => 0);
    s.frame([face(30)]); s.frame([face(30)]);
    assert.equal(s.frame([face(30)]).failure, 'too_many_frames');
  });

  it('computes IoU', () => {
    assert.equal(iou([0, 0, 10, 10], [0, 0, 10, 10]), 1);
    assert.equal(iou([0, 0, 10, 10], [20, 20, 5, 5]), 0);
    assert.equal(iou([0, 0, 10, 10], [5, 0, 10, 10]), 50 / 150);
  });
});
