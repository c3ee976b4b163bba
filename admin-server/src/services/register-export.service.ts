/**
 * The register as a school information system wants it: one row per student per lesson (absences
 * included, with their reason), times in the school's time zone. Days without lessons (weekends,
 * the calendar's holidays) are left out by the attendance report it is built on.
 */
import { In, type DataSource } from 'typeorm';
import { AttendanceLog, BadRequestError, ClassGroup, parseId, schoolClock, schoolDay } from '@attendance/shared';
import { MAX_REPORT_DAYS, daysBetween } from './attendance-report.js';
import type { AttendanceService, GroupScope } from './attendance.service.js';
import type { CsvCell } from './csv.js';

export const REGISTER_COLUMNS = ['date', 'weekday', 'class', 'lesson_id', 'lesson_start', 'lesson_end', 'subject', 'roll_number', 'student', 'status', 'reason', 'marked_at', 'source', 'note'] as const;
export type RegisterRow = Record<(typeof REGISTER_COLUMNS)[number], string | number | null>;
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** `YYYY-MM-DD HH:MM` in the school's time zone. */
export function localTime(at: Date, timeZone: string): string {
  const { minutes } = schoolClock(at, timeZone);
  return `${schoolDay(at, timeZone)} ${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export class RegisterExportService {
  constructor(private readonly ds: DataSource, private readonly attendance: AttendanceService, private readonly timeZone: string) {}

  async rows(q: { from?: unknown; to?: unknown; classGroupId?: unknown }, scope: GroupScope): Promise<RegisterRow[]> {
    const from = String(q.from ?? '');
    const to = String(q.to ?? '');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || from > to) throw new BadRequestError('from and to are required, as YYYY-MM-DD, from ≤ to');
    try { daysBetween(from, to); } catch { throw new BadRequestError(`the register export covers at most ${MAX_REPORT_DAYS} days`); }
    let groupIds = (await this.ds.getRepository(ClassGroup).find({ order: { name: 'ASC' } })).map((g) => g.id);
    if (q.classGroupId !== undefined && q.classGroupId !== '') {
      groupIds = [parseId(q.classGroupId, 'classGroupId')];
    }
    if (scope) groupIds = groupIds.filter((id) => scope.includes(id));
    const out: RegisterRow[] = [];
    for (const id of groupIds) {
      const { group, report } = await this.attendance.groupReport(id, from, to, scope);
      const ids = report.students.map((s) => s.student.id);
      const marks = ids.length
        ? await this.ds.getRepository(AttendanceLog).createQueryBuilder('a').where({ studentId: In(ids) }).andWhere('a.day BETWEEN :from AND :to', { from, to }).getMany()
        : [];
      const byKey = new Map(marks.map((m) => [`${m.studentId}|${m.day}|${m.slot}`, m]));
      for (const day of report.days) {
        const lessons = day.sessions.length ? day.sessions : [null];
        for (const lesson of lessons) {
          for (const { student } of report.students) {
            const slot = lesson ? `session:${lesson.id}` : 'day';
            const status = lesson ? day.sessionStatus[lesson.id][student.id] : day.status[student.id];
            const mark = byKey.get(`${student.id}|${day.day}|${slot}`);
            out.push({
              date: day.day, weekday: WEEKDAYS[day.weekday - 1], class: group.name, lesson_id: lesson?.id ?? null,
              lesson_start: lesson?.startTime ?? null, lesson_end: lesson?.endTime ?? null, subject: lesson?.subject ?? null,
              roll_number: student.rollNumber, student: student.name, status,
              reason: mark?.reasonCode ?? null, marked_at: mark ? localTime(mark.markedAt, this.timeZone) : null,
              source: mark?.source ?? (status === 'absent' ? 'register' : null), note: mark?.note ?? null,
            });
          }
        }
      }
    }
    return out;
  }

  static cells(rows: RegisterRow[]): CsvCell[][] {
    return rows.map((r) => REGISTER_COLUMNS.map((c) => r[c]));
  }
}
