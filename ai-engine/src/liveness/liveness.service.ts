import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
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

export const LIVENESS_SCOPE = 'liveness';
const STAFF_ROLES = ['admin', 'staff'];

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

interface Active {
  id: string;
  studentId: number;
  state: LivenessSessionState;
  /** A frame is being analysed: another one is refused, never queued. */
  busy: boolean;
  registered: boolean;
}

export interface LivenessDeps {
  db: DataSource;
  analyze: (image: Buffer | string) => Promise<FaceAnalysis[]>;
  enrollment: Pick<EnrollmentService, 'store' | 'duplicateOf'>;
  policy: LivenessPolicy;
  limits: LivenessLimits;
  log: Logger;
  now?: () => number;
}

/**
 * Liveness registrations: sessions in memory (embeddings never leave it until they are stored as
 * templates), their rows and audit trail in the database. Single-use: a finished session refuses frames.
 */
export class LivenessService {
  private readonly active = new Map<string, Active>();
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
    // One open session per student: a new one supersedes the old (a reopened modal).
    for (const a of this.active.values()) if (a.studentId === studentId) { a.state.fail('cancelled'); await this.finish(a, 'superseded'); }

    const id = crypto.randomUUID();
    const expiresAt = now + this.d.limits.timeLimitMs;
    const userId = actor!.kind === 'user' ? actor!.userId : null;
    await this.d.db.getRepository(LivenessSession).insert({ id, studentId, createdById: userId, status: 'pending', stepsDone: '', expiresAt: new Date(expiresAt), createdAt: new Date(now) });
    await writeAudit(this.d.db, { action: 'liveness.session_created', actor: auditActor(actor), entity: 'student', entityId: studentId, details: { session: id }, ip });
    const entry: Active = { id, studentId, state: new LivenessSessionState(this.d.policy, expiresAt, this.now), busy: false, registered: false };
    this.active.set(id, entry);
    return this.view(entry);
  }

  /** The session's state; works after it ended too (from its row). */
  async status(actor: Principal | null, id: string): Promise<SessionView> {
    const a = this.active.get(id);
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
    const a = await this.get(id);
    LivenessService.assertMayUse(actor, a.studentId);
    if (a.busy) throw new ConflictError('the previous frame of this session is still being analysed');
    a.busy = true;
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
    } finally {
      a.busy = false;
    }
    if (verdict.accepted) {
      await this.d.db.getRepository(LivenessSession).update(a.id, { stepsDone: verdict.stepsDone.join(','), status: verdict.status });
    } else if (verdict.status === 'failed' || verdict.status === 'expired') await this.finish(a);
    return {
      session_id: a.id, status: verdict.status, step: verdict.step, steps_done: verdict.stepsDone, failure: verdict.failure,
      accepted: verdict.accepted, hint: verdict.hint, faces: faces.length, yaw: verdict.yaw === null ? null : Math.round(verdict.yaw * 10) / 10,
    };
  }

  /**
   * Stores a passed session's three embeddings as the student's templates (duplicate check, gallery job,
   * audit: EnrollmentService.store). Once: the session is then forgotten. A duplicate face fails it.
   */
  async register(actor: Principal | null, id: string, ip?: string): Promise<EnrollResult & { session_id: string; poses: LivenessStep[] }> {
    const a = await this.get(id);
    LivenessService.assertMayUse(actor, a.studentId);
    if (a.state.status !== 'passed') throw new ConflictError(`liveness session is ${a.state.status}, not passed`, { status: a.state.status });
    if (a.registered) throw new ConflictError('liveness session already registered');
    a.registered = true;
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
  }

  /** The client gave up (modal closed): the session ends, failed. */
  async cancel(id: string): Promise<void> {
    const a = this.active.get(id);
    if (!a || a.state.status !== 'pending') return;
    a.state.fail('cancelled');
    await this.finish(a);
  }

  /** An open session; a finished one is refused as a replay (409), an unknown id is 404. */
  private async get(id: string): Promise<Active> {
    const a = this.active.get(id);
    if (a) return a;
    const row = await this.d.db.getRepository(LivenessSession).findOneBy({ id });
    if (row) throw new ConflictError(`liveness session ${id} is already used (${row.status})`, { status: row.status });
    throw new NotFoundError(`no liveness session ${id}`);
  }

  /** Writes the verdict and audit entry, and forgets the session (with its embeddings). */
  private async finish(a: Active, reason?: string): Promise<void> {
    if (!this.active.delete(a.id)) return;
    const status = a.state.status;
    const failureReason = reason ?? a.state.failure;
    await this.d.db.getRepository(LivenessSession).update(a.id, {
      status, stepsDone: a.state.stepsDone.join(','), failureReason, completedAt: new Date(this.now()),
    });
    await writeAudit(this.d.db, { action: `liveness.${status}`, entity: 'student', entityId: a.studentId, details: { session: a.id, steps: a.state.stepsDone, failure: failureReason } });
    this.d.log.info({ session: a.id, studentId: a.studentId, status, failure: failureReason }, 'liveness session ended');
  }

  /** Sessions that ran out of time with no frame to notice it. */
  private async sweep(): Promise<void> {
    for (const a of [...this.active.values()]) if (a.state.status === 'expired' || (a.state.status === 'passed' && this.now() > a.state.expiresAt)) {
      if (a.state.status === 'passed') a.state.fail('timeout');
      await this.finish(a);
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
