import type { DataSource } from 'typeorm';
import {
  ATTENDANCE_STATUSES, AttendanceLog, BadRequestError, ConflictError, ForbiddenError, NotFoundError, Student, createLogger, isUniqueViolation, schoolDay, writeAudit,
  type AttendanceStatus, type AuditEntry,
} from '@attendance/shared';
import type { AttendanceEventRelay } from './attendance-events.js';

const log = createLogger('marks');

export interface ManualMark { studentId: number; day?: string; slot?: string; status: string; note?: string | null; reasonCode?: string | null }

function checkStatus(status: string): AttendanceStatus {
  if (!(ATTENDANCE_STATUSES as readonly string[]).includes(status)) throw new BadRequestError(`status must be one of ${ATTENDANCE_STATUSES.join(', ')}`);
  return status as AttendanceStatus;
}

/**
 * Marks and corrections made by hand; each one is audited in the same transaction. A mark that becomes late or
 * absent is news for the school's other systems: the database's attendance events outbox records it with the
 * commit, and `events` (the relay) sends it on before the request answers.
 */
export class MarksService {
  constructor(private readonly ds: DataSource, private readonly timeZone: string, private readonly clock: () => Date, private readonly events?: Pick<AttendanceEventRelay, 'drain'>) {}

  /** `classGroups`, for a teacher, limits the mark to students of those groups. */
  async mark(m: ManualMark, actor: NonNullable<AuditEntry['actor']>, classGroups: number[] | null = null): Promise<number> {
    const status = checkStatus(m.status);
    const now = this.clock();
    const day = m.day || schoolDay(now, this.timeZone);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new BadRequestError('day must be YYYY-MM-DD');
    const slot = m.slot || 'day';
    if (!/^(day|session:\d+)$/.test(slot)) throw new BadRequestError('slot must be "day" or "session:<id>"');
    try {
      const id = await this.ds.transaction(async (tx) => {
        const student = await tx.getRepository(Student).findOne({ where: { id: m.studentId }, relations: { classGroup: true } });
        if (!student) throw new NotFoundError(`student ${m.studentId} not found`);
        if (classGroups && !classGroups.includes(student.classGroupId ?? -1)) throw new ForbiddenError(`student ${m.studentId} is not in your class groups`);
        const classSessionId = slot.startsWith('session:') ? Number(slot.slice(8)) : null;
        const row = await tx.getRepository(AttendanceLog).save(tx.getRepository(AttendanceLog).create({
          studentId: m.studentId, day, slot, status, markedAt: now, source: 'manual', markedById: actor.id, note: m.note || null, reasonCode: m.reasonCode ?? null, classSessionId,
        }));
        await writeAudit(tx, { action: 'attendance.marked', actor, entity: 'attendance', entityId: row.id, details: { studentId: m.studentId, day, slot, status, reasonCode: m.reasonCode ?? null } }, now);
        return row.id;
      });
      await this.announce();
      return id;
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`student ${m.studentId} already has a mark for ${day} (${slot}); correct that mark instead`);
      throw err;
    }
  }

  async correct(id: number, change: { status: string; note?: string | null; reasonCode?: string | null }, actor: NonNullable<AuditEntry['actor']>): Promise<void> {
    const status = checkStatus(change.status);
    const now = this.clock();
    await this.ds.transaction(async (tx) => {
      const repo = tx.getRepository(AttendanceLog);
      const before = await repo.findOneBy({ id });
      if (!before) throw new NotFoundError(`attendance mark ${id} not found`);
      // A reason belongs to an absence: a correction to present or late drops it.
      const reasonCode = status === 'absent' || status === 'excused' ? (change.reasonCode !== undefined ? change.reasonCode : before.reasonCode) : null;
      await repo.update(id, { status, note: change.note ?? before.note, reasonCode, markedById: actor.id });
      await writeAudit(tx, {
        action: 'attendance.corrected', actor, entity: 'attendance', entityId: id,
        details: { studentId: before.studentId, day: before.day, slot: before.slot, from: before.status, to: status, source: before.source, reasonCode, note: change.note ?? null },
      }, now);
    });
    await this.announce();
  }

  /** After the commit: the outbox rows the triggers wrote go out now, not at the next poll; a failure waits for the poll. */
  private async announce(): Promise<void> {
    await this.events?.drain().catch((err: unknown) => log.warn({ err }, 'attendance events not relayed now; the poll sends them'));
  }
}
