import crypto from 'node:crypto';
import { IsNull, LessThanOrEqual, type DataSource } from 'typeorm';
import {
  ConflictError, ConsentRequiredError, ForbiddenError, LivenessSession, NotFoundError, RateLimitedError, Student, UnprocessableError,
  writeAudit, type Logger,
} from '@attendance/shared';
import type { Principal } from '../auth/auth.service.js';
import type { EnrollResult, EnrollmentService } from '../enrollment/enroll.service.js';
import { ImageDecodeError, type FaceAnalysis } from '../vision/index.js';
import {
  LivenessSessionState, SessionClosedError, type LivenessFailure, type LivenessPolicy, type LivenessStatus, type LivenessStep, type LivenessVerdict,
} from './liveness-session.js';
import type { HeldSession, LivenessStore } from './liveness-store.js';

export const LIVENESS_SCOPE = 'liveness';
const STAFF_ROLES = ['admin', 'staff'];
const BUSY_FRAME = 'the previous frame of this session is still being analysed';
const BUSY = 'this liveness session is busy with another request';

export interface LivenessLimits {
  /** From creation to the last step. */
  timeLimitMs: number;
  /** Sessions a student may start per window. */
  maxSessionsPerStudent: number;
  windowMs: number;
}

export interface SessionView {
  session_id: string;
  student_id: number;
  status: LivenessStatus;
  step: LivenessStep | null;
  steps: readonly LivenessStep[];
  steps_done: LivenessStep[];
  failure: LivenessFailure | string | null;
  expires_at: string;
}

export interface FrameResult extends Omit<SessionView, 'student_id' | 'steps' | 'expires_at'> {
  accepted: boolean;
  hint: LivenessVerdict['hint'];
  faces: number;
  yaw: number | null;
}

/** A session loaded from the store for one request. */
interface Active {
  id: string;
  studentId: number;
  state: LivenessSessionState;
  registered: boolean;
  /** The store's hold, when this request changes the session. */
  held?: HeldSession;
}

export interface LivenessDeps {
  db: DataSource;
  analyze: (image: Buffer | string) => Promise<FaceAnalysis[]>;
  enrollment: Pick<EnrollmentService, 'store' | 'duplicateOf'>;
  /** Open sessions, shared by every engine. */
  store: LivenessStore;
  policy: LivenessPolicy;
  limits: LivenessLimits;
  log: Logger;
  now?: () => number;
}

/**
 * Liveness registrations: open sessions in the shared store (Redis: any engine serves any request, and a
 * session outlives the engine that started it; embeddings encrypted there, deleted when the session ends and
 * expiring with it), their rows and audit trail in the database. Single-use: a finished session refuses frames.
 */
export class LivenessService {
  private readonly now: () => number;

  constructor(private readonly d: LivenessDeps) { this.now = d.now ?? Date.now; }

  /** Staff (admin/staff) or a token scoped to liveness of this very student. */
  static assertMayUse(p: Principal | null, studentId: number): void {
    if (!p || p.kind !== 'user') throw new ForbiddenError('liveness needs a user token');
    if (p.scope) {
      if (p.scope !== LIVENESS_SCOPE || p.studentId !== studentId) throw new ForbiddenError('this token is for another student');
    } else if (!STAFF_ROLES.includes(p.role)) throw new ForbiddenError();
  }

  async create(actor: Principal | null, studentId: number, ip?: string): Promise<SessionView> {
    LivenessService.assertMayUse(actor, studentId);
    const student = await this.d.db.getRepository(Student).findOneBy({ id: studentId });
    if (!student) throw new NotFoundError(`student ${studentId} does not exist`);
    if (!student.active) throw new ConflictError(`student ${studentId} is inactive`);
    if (!student.consentAt) throw new ConsentRequiredError(studentId);
    await this.sweep();
    const now = this.now();
    const recent = await this.d.db.getRepository(LivenessSession).find({
      where: { studentId }, order: { createdAt: 'DESC' }, take: this.d.limits.maxSessionsPerStudent, select: { id: true, createdAt: true },
    });
    const inWindow = recent.filter((r) => r.createdAt.getTime() > now - this.d.limits.windowMs);
    if (inWindow.length >= this.d.limits.maxSessionsPerStudent) {
      const oldest = Math.min(...inWindow.map((r) => r.createdAt.getTime()));
      throw new RateLimitedError(Math.max(1, Math.ceil((oldest + this.d.limits.windowMs - now) / 1000)));
    }
    // One open session per student: a new one supersedes the old (a reopened modal), on whichever engine it began.
    const open = await this.d.db.getRepository(LivenessSession).find({ where: { studentId, completedAt: IsNull() }, select: { id: true } });
    for (const { id } of open) {
      const a = await this.load(id);
      if (a) { a.state.fail('cancelled'); await this.finish(a, 'superseded'); }
    }

    const id = crypto.randomUUID();
    const expiresAt = now + this.d.limits.timeLimitMs;
    const userId = actor!.kind === 'user' ? actor!.userId : null;
    const state = new LivenessSessionState(this.d.policy, expiresAt, this.now);
    await this.d.store.create(id, { studentId, registered: false, state: state.snapshot() });
    await this.d.db.getRepository(LivenessSession).insert({ id, studentId, createdById: userId, status: 'pending', stepsDone: '', expiresAt: new Date(expiresAt), createdAt: new Date(now) });
    await writeAudit(this.d.db, { action: 'liveness.session_created', actor: auditActor(actor), entity: 'student', entityId: studentId, details: { session: id }, ip });
    return this.view({ id, studentId, state, registered: false });
  }

  /** The session's state; works after it ended too (from its row). */
  async status(actor: Principal | null, id: string): Promise<SessionView> {
    const a = await this.load(id);
    if (a) {
      LivenessService.assertMayUse(actor, a.studentId);
      if (a.state.status !== 'pending' && a.state.status !== 'passed') await this.finish(a);
      return this.view(a);
    }
    const row = await this.d.db.getRepository(LivenessSession).findOneBy({ id });
    if (!row) throw new NotFoundError(`no liveness session ${id}`);
    LivenessService.assertMayUse(actor, row.studentId);
    const expired = row.status === 'pending' && row.expiresAt.getTime() <= this.now();
    return {
      session_id: row.id, student_id: row.studentId, status: expired ? 'expired' : row.status, step: null, steps: ['center', 'left', 'right'],
      steps_done: row.stepsDone ? row.stepsDone.split(',') as LivenessStep[] : [], failure: expired ? 'timeout' : row.failureReason, expires_at: row.expiresAt.toISOString(),
    };
  }

  /** Access check for a stream (the WebSocket) before it opens. */
  async open(actor: Principal | null, id: string): Promise<{ studentId: number; view: SessionView }> {
    const a = await this.get(id);
    LivenessService.assertMayUse(actor, a.studentId);
    return { studentId: a.studentId, view: this.view(a) };
  }

  /** One frame (JPEG/PNG bytes or base64): detect, quality, pose, anti-spoof, embed, then the state machine. */
  async frame(actor: Principal | null, id: string, image: Buffer | string): Promise<FrameResult> {
    const a = await this.get(id, BUSY_FRAME);
    try {
      LivenessService.assertMayUse(actor, a.studentId);
      let verdict: LivenessVerdict;
      let faces: FaceAnalysis[];
      try {
        faces = await this.d.analyze(image);
        verdict = a.state.frame(faces);
        // The straight pose already tells whether this face is another student's: end now, not after the turns.
        // (The accepted face is faces[0]: the state machine accepts only the largest face when it is alone.)
        if (verdict.accepted && verdict.stepsDone.length === 1 && this.d.enrollment.duplicateOf([faces[0].embedding!], a.studentId)) {
          a.state.fail('duplicate');
          verdict = { ...verdict, accepted: false, status: 'failed', step: null, failure: 'duplicate' };
        }
      } catch (err) {
        if (err instanceof ImageDecodeError) throw new UnprocessableError(`not a usable image: ${err.reason}`);
        if (err instanceof SessionClosedError) throw new ConflictError(err.message, { status: err.status });
        throw err;
      }
      if (verdict.status === 'failed' || verdict.status === 'expired') await this.finish(a);
      else {
        if (!(await this.save(a))) throw new ConflictError(`liveness session ${id} ended while this frame was analysed`);
        if (verdict.accepted) await this.d.db.getRepository(LivenessSession).update(a.id, { stepsDone: verdict.stepsDone.join(','), status: verdict.status });
      }
      return {
        session_id: a.id, status: verdict.status, step: verdict.step, steps_done: verdict.stepsDone, failure: verdict.failure,
        accepted: verdict.accepted, hint: verdict.hint, faces: faces.length, yaw: verdict.yaw === null ? null : Math.round(verdict.yaw * 10) / 10,
      };
    } finally {
      await this.letGo(a);
    }
  }

  /**
   * Stores a passed session's three embeddings as the student's templates (duplicate check, gallery job,
   * audit: EnrollmentService.store). Once: the session is then forgotten. A duplicate face fails it.
   */
  async register(actor: Principal | null, id: string, ip?: string): Promise<EnrollResult & { session_id: string; poses: LivenessStep[] }> {
    const a = await this.get(id, BUSY);
    try {
      LivenessService.assertMayUse(actor, a.studentId);
      if (a.state.status !== 'passed') throw new ConflictError(`liveness session is ${a.state.status}, not passed`, { status: a.state.status });
      if (a.registered) throw new ConflictError('liveness session already registered');
      a.registered = true;
      if (!(await this.save(a))) throw new ConflictError(`liveness session ${id} has ended`);
      const embeddings = a.state.embeddings;
      try {
        const result = await this.d.enrollment.store({ target: { studentId: a.studentId }, actor: actor!, ip }, embeddings);
        await this.finish(a);
        return { ...result, session_id: a.id, poses: embeddings.map((e) => e.pose) };
      } catch (err) {
        a.state.fail(err instanceof ConflictError ? 'duplicate' : 'cancelled');
        await this.finish(a, err instanceof ConflictError ? 'duplicate' : (err as Error).message.slice(0, 200));
        throw err;
      }
    } finally {
      await this.letGo(a);
    }
  }

  /** The client gave up (modal closed): the session ends, failed. */
  async cancel(id: string): Promise<void> {
    const a = await this.load(id);
    if (!a || a.state.status !== 'pending') return;
    a.state.fail('cancelled');
    await this.finish(a);
  }

  /** An open session from the store (held for this request when `busy` is given); none: null. */
  private async load(id: string, busy?: string): Promise<Active | null> {
    const s = busy ? await this.d.store.take(id, busy) : await this.d.store.peek(id);
    if (!s) return null;
    return { id, studentId: s.studentId, registered: s.registered, state: LivenessSessionState.restore(this.d.policy, s.state, this.now), held: busy ? s as HeldSession : undefined };
  }

  /** An open session; a finished one is refused as a replay (409), an unknown id is 404. */
  private async get(id: string, busy?: string): Promise<Active> {
    const a = await this.load(id, busy);
    if (a) return a;
    const row = await this.d.db.getRepository(LivenessSession).findOneBy({ id });
    if (row) throw new ConflictError(`liveness session ${id} is already used (${row.status})`, { status: row.status });
    throw new NotFoundError(`no liveness session ${id}`);
  }

  private save(a: Active): Promise<boolean> {
    return this.d.store.save({ ...a.held!, studentId: a.studentId, registered: a.registered, state: a.state.snapshot() });
  }

  private async letGo(a: Active): Promise<void> {
    if (a.held) await this.d.store.release(a.held).catch((err: unknown) => this.d.log.warn({ err, session: a.id }, 'liveness session hold not released; it runs out by itself'));
  }

  /** Writes the verdict and audit entry, and forgets the session (with its embeddings). Once, whichever engine gets here first. */
  private async finish(a: Active, reason?: string): Promise<void> {
    await this.d.store.remove(a.id);
    await this.close(a.id, a.studentId, a.state.status, a.state.stepsDone.join(','), reason ?? a.state.failure);
  }

  private async close(id: string, studentId: number, status: LivenessStatus, stepsDone: string, failureReason: string | null): Promise<void> {
    const { affected } = await this.d.db.getRepository(LivenessSession).update({ id, completedAt: IsNull() }, {
      status, stepsDone, failureReason, completedAt: new Date(this.now()),
    });
    if (!affected) return;
    await writeAudit(this.d.db, { action: `liveness.${status}`, entity: 'student', entityId: studentId, details: { session: id, steps: stepsDone ? stepsDone.split(',') : [], failure: failureReason } });
    this.d.log.info({ session: id, studentId, status, failure: failureReason }, 'liveness session ended');
  }

  /** Sessions that ran out of time with no request to notice it (on any engine, or one that died). */
  private async sweep(): Promise<void> {
    const lapsed = await this.d.db.getRepository(LivenessSession).find({ where: { completedAt: IsNull(), expiresAt: LessThanOrEqual(new Date(this.now())) } });
    for (const row of lapsed) {
      await this.d.store.remove(row.id);
      // A passed session nobody registered in time fails; a pending one expired.
      await this.close(row.id, row.studentId, row.status === 'passed' ? 'failed' : 'expired', row.stepsDone, 'timeout');
    }
  }

  private view(a: Active): SessionView {
    return {
      session_id: a.id, student_id: a.studentId, status: a.state.status, step: a.state.step, steps: ['center', 'left', 'right'],
      steps_done: a.state.stepsDone, failure: a.state.failure, expires_at: new Date(a.state.expiresAt).toISOString(),
    };
  }
}

function auditActor(p: Principal | null): { id: number | null; name: string | null } | null {
  return p?.kind === 'user' ? { id: p.userId, name: p.username } : null;
}
