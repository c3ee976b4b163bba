import { Brackets, Not, type DataSource } from 'typeorm';
import {
  AttendanceLog, ClassSession, NotFoundError, calendarEntries, dayOff, Student, constraintViolation, parseClockTime, parseId, schoolClock, schoolDay,
  type AttendanceSource, type AttendanceStatus,
} from '@attendance/shared';
import type { Metrics } from '../observability/metrics.js';
import type { Publisher } from '../transport/ws/publisher.js';

export interface MarkRequest {
  studentId: number;
  confidence: number | null;
  source: AttendanceSource;
  cameraId?: number | null;
}

export type MarkResult =
  | { marked: true; record: AttendanceLog }
  | { marked: false; reason: 'already_marked' | 'not_in_roster' | 'inactive_student' | 'cooldown' | 'daily_limit' };

/** Limits on top of "once per day / per session"; 0 turns each off. */
export interface MarkRules {
  /** Seconds after any mark of a student during which no further mark is written (across sessions). */
  cooldownSeconds: number;
  /** Most marks per student per school day (e.g. a cap across many short sessions). */
  maxMarksPerDay: number;
}

export const NO_EXTRA_RULES: MarkRules = { cooldownSeconds: 0, maxMarksPerDay: 0 };

/** What counts now for a camera: a running timetable session (with its roster), or the whole day. */
export interface MarkContext { day: string; slot: string; status: AttendanceStatus; session: ClassSession | null }

/**
 * The attendance rules. One mark per student per day; while a timetable session runs in front of the
 * camera (and the school calendar does not cancel it), one mark per student per session, `late` after the
 * session's late-after minutes, and only students of that class group; optionally a cooldown between marks and a cap per day (MarkRules).
 * The database's unique key on (student, day, slot) is the final guard,
 * so two engines racing for the same student cannot both write.
 */
export class AttendanceService {
  constructor(
    private readonly db: DataSource,
    private readonly timeZone: string,
    private readonly publisher: Publisher,
    private readonly metrics: Metrics,
    private readonly now: () => Date = () => new Date(),
    private readonly rules: MarkRules = NO_EXTRA_RULES,
  ) {}

  /** The running session for a camera at `at`, if any (timetable times are in the school's zone). */
  async contextFor(cameraId: number | null | undefined, at: Date = this.now()): Promise<MarkContext> {
    const day = schoolDay(at, this.timeZone);
    if (cameraId) {
      const { weekday, minutes } = schoolClock(at, this.timeZone);
      // The lessons in front of this camera: those naming it, and those naming its room without a camera.
      const sessions = await this.db.getRepository(ClassSession).createQueryBuilder('s').where('s.weekday = :weekday', { weekday })
        .andWhere(new Brackets((b) => b.where('s.cameraId = :cameraId', { cameraId })
          .orWhere('s.cameraId IS NULL AND s.room IS NOT NULL AND s.room = (SELECT c.room FROM cameras c WHERE c.id = :cameraId)')))
        .getMany();
      const session = sessions.find((s) => minutes >= parseClockTime(s.startTime) && minutes < parseClockTime(s.endTime));
      // A lesson the school calendar cancels (holiday, closure, the class's trip) does not run: the mark is a whole-day one.
      if (session && !dayOff(await calendarEntries(this.db, day, day), day, session.classGroupId)) {
        const late = minutes > parseClockTime(session.startTime) + session.lateAfterMinutes;
        return { day, slot: `session:${session.id}`, status: late ? 'late' : 'present', session };
      }
    }
    return { day, slot: 'day', status: 'present', session: null };
  }

  /** The students allowed to be marked by this camera now (a session's roster), or undefined for all. */
  async rosterFor(ctx: MarkContext): Promise<Set<number> | undefined> {
    if (!ctx.session) return undefined;
    const students = await this.db.getRepository(Student).find({ select: { id: true }, where: { classGroupId: ctx.session.classGroupId, active: true } });
    return new Set(students.map((s) => s.id));
  }

  /**
   * Writes one mark. `marked: true` is answered only after the insert committed; a failed write
   * throws (never reported as done), and only the unique key's "already there" becomes a refusal.
   */
  async mark(req: MarkRequest, ctx?: MarkContext): Promise<MarkResult> {
    parseId(req.studentId, 'student id');
    if (req.cameraId != null) parseId(req.cameraId, 'camera id');
    const at = this.now();
    const context = ctx ?? (await this.contextFor(req.cameraId, at));
    const student = await this.db.getRepository(Student).findOneBy({ id: req.studentId });
    if (!student || !student.active) return { marked: false, reason: 'inactive_student' };
    if (context.session && student.classGroupId !== context.session.classGroupId) return { marked: false, reason: 'not_in_roster' };
    const limited = await this.limitReached(req.studentId, context.day, at);
    if (limited) return { marked: false, reason: limited };
    const record = this.db.getRepository(AttendanceLog).create({
      studentId: req.studentId, markedAt: at, day: context.day, slot: context.slot, status: context.status,
      confidence: req.confidence, source: req.source, cameraId: req.cameraId ?? null, classSessionId: context.session?.id ?? null,
    });
    try {
      await this.db.getRepository(AttendanceLog).insert(record);
    } catch (err) {
      const broken = constraintViolation(err);
      if (broken === 'unique') return { marked: false, reason: 'already_marked' };
      if (broken === 'foreign_key') throw new NotFoundError(`camera ${req.cameraId} does not exist`);
      throw err;
    }
    this.metrics.marks.inc({ source: req.source });
    this.publisher.publish('attendance', {
      id: record.id, studentId: student.id, studentName: student.name, status: record.status, source: record.source,
      cameraId: record.cameraId, classSessionId: record.classSessionId, confidence: record.confidence, markedAt: at.toISOString(),
    });
    return { marked: true, record };
  }

  /** Cooldown and daily cap; both are soft limits (a race may exceed them), the unique key is the hard one. */
  private async limitReached(studentId: number, day: string, at: Date): Promise<'cooldown' | 'daily_limit' | null> {
    const { cooldownSeconds, maxMarksPerDay } = this.rules;
    const repo = this.db.getRepository(AttendanceLog);
    // An absence stored because nobody marked the student in an earlier lesson (source `auto`) is no sighting.
    const seen = { studentId, source: Not('auto' as const) };
    if (maxMarksPerDay > 0 && (await repo.countBy({ ...seen, day })) >= maxMarksPerDay) return 'daily_limit';
    if (cooldownSeconds > 0) {
      // Compared here, not in SQL: SQLite stores datetimes as text and would compare them to a bound number.
      const last = await repo.findOne({ select: { markedAt: true }, where: seen, order: { markedAt: 'DESC' } });
      if (last && at.getTime() - last.markedAt.getTime() < cooldownSeconds * 1000) return 'cooldown';
    }
    return null;
  }
}
