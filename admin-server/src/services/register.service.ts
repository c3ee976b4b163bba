import { In, IsNull, type DataSource } from 'typeorm';
import {
  ATTENDANCE_STATUSES, AbsenceReason, AttendanceLog, BadRequestError, ClassGroup, ClassSession, ConflictError, ForbiddenError, LessonRegister,
  NotFoundError, Student, schoolDay, writeAudit, type AttendanceStatus, type AuditEntry,
} from '@attendance/shared';
import { isoWeekday } from './attendance-report.js';
import type { GroupScope } from './attendance.service.js';
import { CalendarService, type DayOff } from './calendar.service.js';
import type { DomainEventBus } from './domain-events.js';
import type { MarksService } from './marks.service.js';

type Actor = NonNullable<AuditEntry['actor']>;

export interface LessonSummary {
  sessionId: number; day: string; subject: string | null; startTime: string; endTime: string;
  classGroupId: number; classGroup: string; roster: number; marked: number; confirmedAt: Date | null;
  /** Why the lesson does not happen (school calendar), or null. */
  off: DayOff;
}

export interface RosterMark {
  id: number; status: AttendanceStatus; source: string; markedAt: Date; confidence: number | null; camera: string | null;
  reasonCode: string | null; note: string | null;
}

export interface RegisterView {
  lesson: LessonSummary;
  /** The school's time zone: the page shows times in it, whatever the device's zone. */
  timeZone: string;
  reasons: { code: string; label: string; excused: boolean }[];
  /** `mark`: this lesson's mark (camera, laptop or hand); `dayMark`: a whole-day mark (entrance camera), for context. */
  students: { id: number; name: string; rollNumber: string; mark: RosterMark | null; dayMark: RosterMark | null }[];
}

export interface RegisterChange { status: string; reasonCode?: string | null; note?: string | null }

const slotOf = (sessionId: number) => `session:${sessionId}`;

/**
 * The register of a lesson: the class group's roster against the marks of slot `session:<id>` on a day,
 * the slot the engine writes while that lesson runs in front of its camera. A hand mark goes through
 * MarksService into the same (student, day, slot) row, so a camera mark and a hand mark are one record:
 * whichever comes first is written, the other is a correction (audited), never a second answer.
 * Confirming locks the register; staff may reopen it (audited).
 */
export class RegisterService {
  private readonly calendar: CalendarService;

  constructor(
    private readonly ds: DataSource, private readonly marks: MarksService, private readonly timeZone: string, private readonly clock: () => Date,
    private readonly events?: DomainEventBus,
  ) {
    this.calendar = new CalendarService(ds);
  }

  today(): string {
    return schoolDay(this.clock(), this.timeZone);
  }

  /** The caller's lessons on a day (default today), in time order, with how far each register got. */
  async lessons(scope: GroupScope, day = this.today()): Promise<LessonSummary[]> {
    const sessions = await this.ds.getRepository(ClassSession).find({
      // An archived year's lessons are history: they do not happen any more.
      where: { weekday: isoWeekday(this.checkDay(day)), classGroup: { academicYearId: IsNull() }, ...(scope ? { classGroupId: In(scope.length ? scope : [-1]) } : {}) },
      relations: { classGroup: true }, order: { startTime: 'ASC' },
    });
    return Promise.all(sessions.map((s) => this.summary(s, day)));
  }

  async view(sessionId: number, day: string, scope: GroupScope): Promise<RegisterView> {
    const session = await this.session(sessionId, scope);
    const lesson = await this.summary(session, this.checkDay(day));
    const students = await this.roster(session.classGroupId);
    const rows = students.length ? await this.ds.getRepository(AttendanceLog).find({
      where: { studentId: In(students.map((s) => s.id)), day, slot: In([slotOf(sessionId), 'day']) }, relations: { camera: true },
    }) : [];
    const markOf = (studentId: number, slot: string): RosterMark | null => {
      const m = rows.find((r) => r.studentId === studentId && r.slot === slot);
      return m ? { id: m.id, status: m.status, source: m.source, markedAt: m.markedAt, confidence: m.confidence, camera: m.camera?.name ?? null, reasonCode: m.reasonCode, note: m.note } : null;
    };
    const reasons = await this.ds.getRepository(AbsenceReason).find({ where: { active: true }, order: { label: 'ASC' } });
    return {
      lesson, timeZone: this.timeZone,
      reasons: reasons.map((r) => ({ code: r.code, label: r.label, excused: r.excused })),
      students: students.map((s) => ({ id: s.id, name: s.name, rollNumber: s.rollNumber, mark: markOf(s.id, slotOf(sessionId)), dayMark: markOf(s.id, 'day') })),
    };
  }

  /** One student's mark in this lesson: written if absent, corrected if there (camera marks included). */
  async setMark(sessionId: number, day: string, studentId: number, change: RegisterChange, actor: Actor, scope: GroupScope): Promise<RosterMark | null> {
    const session = await this.writable(sessionId, day, scope);
    const { status, reasonCode } = await this.checkChange(change);
    const note = typeof change.note === 'string' ? change.note.slice(0, 255) || null : null;
    const slot = slotOf(sessionId);
    const existing = await this.ds.getRepository(AttendanceLog).findOneBy({ studentId, day, slot });
    if (existing) {
      await this.marks.correct(existing.id, { status, note, reasonCode }, actor);
    } else {
      try {
        await this.marks.mark({ studentId, day, slot, status, note, reasonCode }, actor, [session.classGroupId]);
      } catch (err) {
        // A camera mark landed between the read and the write: this hand mark corrects it instead.
        if (!(err instanceof ConflictError)) throw err;
        const raced = await this.ds.getRepository(AttendanceLog).findOneByOrFail({ studentId, day, slot });
        await this.marks.correct(raced.id, { status, note, reasonCode }, actor);
      }
    }
    return (await this.view(sessionId, day, scope)).students.find((s) => s.id === studentId)?.mark ?? null;
  }

  /** Marks every student without a mark in this lesson absent (one audited mark each); returns how many. */
  async markRemainingAbsent(sessionId: number, day: string, actor: Actor, scope: GroupScope, reasonCode: string | null = null): Promise<number> {
    const session = await this.writable(sessionId, day, scope);
    const view = await this.view(sessionId, day, scope);
    let n = 0;
    for (const s of view.students.filter((st) => !st.mark)) {
      try {
        await this.marks.mark({ studentId: s.id, day, slot: slotOf(sessionId), status: 'absent', reasonCode }, actor, [session.classGroupId]);
        n++;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err; // the camera saw them meanwhile: that mark stands
      }
    }
    return n;
  }

  /** Locks the register; every student must have a mark first. */
  async confirm(sessionId: number, day: string, actor: Actor, scope: GroupScope): Promise<LessonSummary> {
    const session = await this.writable(sessionId, day, scope);
    const view = await this.view(sessionId, day, scope);
    const missing = view.students.filter((s) => !s.mark);
    if (missing.length) throw new ConflictError(`${missing.length} student${missing.length > 1 ? 's have' : ' has'} no mark yet (${missing.slice(0, 3).map((s) => s.name).join(', ')}${missing.length > 3 ? ', …' : ''}): mark them, or mark all remaining absent`);
    const now = this.clock();
    await this.ds.transaction(async (tx) => {
      const repo = tx.getRepository(LessonRegister);
      const row = await repo.findOneBy({ classSessionId: sessionId, day });
      if (row) await repo.update(row.id, { confirmedAt: now, confirmedById: actor.id });
      else await repo.insert({ classSessionId: sessionId, day, confirmedAt: now, confirmedById: actor.id });
      const counts = Object.fromEntries(ATTENDANCE_STATUSES.map((st) => [st, view.students.filter((s) => s.mark?.status === st).length]));
      await writeAudit(tx, { action: 'register.confirmed', actor, entity: 'class_session', entityId: sessionId, details: { day, classGroupId: session.classGroupId, ...counts } }, now);
    });
    const summary = await this.summary(session, day);
    // After the commit: the school's other systems (webhooks) learn the register is final.
    await this.events?.emit('register.confirmed', {
      classSessionId: sessionId, classGroup: summary.classGroup, day, confirmedBy: actor.name, at: now.toISOString(),
      counts: Object.fromEntries(ATTENDANCE_STATUSES.map((st) => [st, view.students.filter((s) => s.mark?.status === st).length])),
    });
    return summary;
  }

  /** Opens a confirmed register again (staff and admins: the route checks the role). */
  async reopen(sessionId: number, day: string, actor: Actor, reason: string | null): Promise<LessonSummary> {
    const session = await this.session(sessionId, null);
    const row = await this.ds.getRepository(LessonRegister).findOneBy({ classSessionId: sessionId, day: this.checkDay(day) });
    if (!row?.confirmedAt) throw new ConflictError('this register is not confirmed');
    await this.ds.transaction(async (tx) => {
      await tx.getRepository(LessonRegister).update(row.id, { confirmedAt: null, confirmedById: null });
      await writeAudit(tx, { action: 'register.reopened', actor, entity: 'class_session', entityId: sessionId, details: { day, reason, confirmedAt: row.confirmedAt } }, this.clock());
    });
    return this.summary(session, day);
  }

  private async summary(s: ClassSession, day: string): Promise<LessonSummary> {
    const group = s.classGroup ?? (await this.ds.getRepository(ClassGroup).findOneByOrFail({ id: s.classGroupId }));
    const students = await this.roster(s.classGroupId);
    const marked = students.length ? await this.ds.getRepository(AttendanceLog).countBy({ studentId: In(students.map((st) => st.id)), day, slot: slotOf(s.id) }) : 0;
    const register = await this.ds.getRepository(LessonRegister).findOneBy({ classSessionId: s.id, day });
    return {
      sessionId: s.id, day, subject: s.subject, startTime: s.startTime, endTime: s.endTime, classGroupId: s.classGroupId, classGroup: group.name,
      roster: students.length, marked, confirmedAt: register?.confirmedAt ?? null, off: await this.calendar.dayOff(day, s.classGroupId),
    };
  }

  private roster(classGroupId: number): Promise<Student[]> {
    return this.ds.getRepository(Student).find({ where: { classGroupId, active: true }, order: { name: 'ASC' }, select: { id: true, name: true, rollNumber: true } });
  }

  private async session(id: number, scope: GroupScope): Promise<ClassSession> {
    const s = await this.ds.getRepository(ClassSession).findOne({ where: { id }, relations: { classGroup: true } });
    if (!s) throw new NotFoundError(`lesson ${id} not found`);
    if (scope && !scope.includes(s.classGroupId)) throw new ForbiddenError('not a lesson of your class groups');
    return s;
  }

  /** A lesson that happens on that day (timetable weekday, school calendar), not in the future, not locked. */
  private async writable(sessionId: number, day: string, scope: GroupScope): Promise<ClassSession> {
    const s = await this.session(sessionId, scope);
    this.checkDay(day);
    if (s.classGroup?.academicYearId != null) throw new ConflictError(`${s.classGroup.name} belongs to an archived school year: its registers are closed`);
    if (day > this.today()) throw new BadRequestError('a register cannot be taken for a day still to come');
    if (isoWeekday(day) !== s.weekday) throw new BadRequestError(`this lesson is not on ${day}'s weekday`);
    const off = await this.calendar.dayOff(day, s.classGroupId);
    if (off) throw new ConflictError(`no lessons on ${day}: ${off.name}`);
    const reg = await this.ds.getRepository(LessonRegister).findOneBy({ classSessionId: sessionId, day });
    if (reg?.confirmedAt) throw new ConflictError('this register is confirmed and locked; school staff can reopen it');
    return s;
  }

  private checkDay(day: string): string {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) throw new BadRequestError('day must be YYYY-MM-DD');
    return day;
  }

  /** Status and reason: a reason only on an absence; an absence with an excusing reason is `excused`. */
  private async checkChange(c: RegisterChange): Promise<{ status: AttendanceStatus; reasonCode: string | null }> {
    if (!(ATTENDANCE_STATUSES as readonly string[]).includes(c.status)) throw new BadRequestError(`status must be one of ${ATTENDANCE_STATUSES.join(', ')}`);
    let status = c.status as AttendanceStatus;
    if (!c.reasonCode) return { status, reasonCode: null };
    if (status !== 'absent' && status !== 'excused') throw new BadRequestError('only an absence has a reason');
    const reason = await this.ds.getRepository(AbsenceReason).findOneBy({ code: String(c.reasonCode), active: true });
    if (!reason) throw new BadRequestError(`unknown absence reason "${String(c.reasonCode).slice(0, 32)}"`);
    if (reason.excused) status = 'excused';
    return { status, reasonCode: reason.code };
  }
}
