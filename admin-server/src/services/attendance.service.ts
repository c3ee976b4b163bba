import { Brackets, In, type DataSource, type SelectQueryBuilder } from 'typeorm';
import {
  ATTENDANCE_STATUSES, AttendanceLog, BadRequestError, ClassGroup, ClassGroupMember, ClassSession, ForbiddenError, NotFoundError, Student,
  type AttendanceStatus,
} from '@attendance/shared';
import { computeAttendanceReport, type AttendanceReport } from './attendance-report.js';
import { CalendarService, dayOff, onSchoolDays } from './calendar.service.js';

/** Class groups the caller may see; null = all (admin, staff). */
export type GroupScope = number[] | null;

export interface AttendanceFilter {
  from?: string;
  to?: string;
  classGroupId?: number;
  studentId?: number;
  status?: AttendanceStatus;
}

export interface MarkRow {
  id: number; day: string; markedAt: Date; slot: string; status: AttendanceStatus; source: string; confidence: number | null;
  studentId: number; studentName: string; rollNumber: string; classGroup: string | null; camera: string | null; note: string | null;
  reasonCode: string | null;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Reads filters from a query string: unknown or malformed values are a 400, never silently ignored. */
export function parseAttendanceFilter(q: Record<string, unknown>): AttendanceFilter {
  const f: AttendanceFilter = {};
  const str = (k: string) => (typeof q[k] === 'string' && q[k] !== '' ? (q[k] as string) : undefined);
  for (const k of ['from', 'to'] as const) {
    const v = str(k);
    if (v !== undefined && !DAY.test(v)) throw new BadRequestError(`${k} must be YYYY-MM-DD`);
    f[k] = v;
  }
  for (const k of ['classGroupId', 'studentId'] as const) {
    const v = str(k);
    if (v !== undefined && !/^\d+$/.test(v)) throw new BadRequestError(`${k} must be an id`);
    if (v !== undefined) f[k] = Number(v);
  }
  const status = str('status');
  if (status !== undefined && !(ATTENDANCE_STATUSES as readonly string[]).includes(status)) throw new BadRequestError(`status must be one of ${ATTENDANCE_STATUSES.join(', ')}`);
  if (status) f.status = status as AttendanceStatus;
  return f;
}

export class AttendanceService {
  private readonly calendar: CalendarService;

  constructor(private readonly ds: DataSource) {
    this.calendar = new CalendarService(ds);
  }

  private query(filter: AttendanceFilter, scope: GroupScope): SelectQueryBuilder<AttendanceLog> {
    const qb = this.ds.getRepository(AttendanceLog).createQueryBuilder('a')
      .innerJoin('a.student', 's').withDeleted()
      // The class group the mark was made in (after a year rollover the student is in another).
      .leftJoin('a.classGroup', 'g').leftJoin('a.camera', 'c')
      .select(['a.id', 'a.day', 'a.markedAt', 'a.slot', 'a.status', 'a.source', 'a.confidence', 'a.studentId', 'a.note', 'a.reasonCode'])
      .addSelect(['s.name', 's.rollNumber', 'g.name', 'c.name']);
    if (filter.from) qb.andWhere('a.day >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('a.day <= :to', { to: filter.to });
    if (filter.studentId) qb.andWhere('a.studentId = :sid', { sid: filter.studentId });
    if (filter.classGroupId) qb.andWhere('a.classGroupId = :gid', { gid: filter.classGroupId });
    if (filter.status) qb.andWhere('a.status = :st', { st: filter.status });
    if (scope) qb.andWhere(new Brackets((b) => b.where('a.classGroupId IN (:...scope)', { scope: scope.length ? scope : [-1] })));
    onSchoolDays(qb, 'a.day', 'a.classGroupId');
    return qb.orderBy('a.day', 'DESC').addOrderBy('a.markedAt', 'DESC').addOrderBy('a.id', 'DESC');
  }

  async listMarks(filter: AttendanceFilter, scope: GroupScope, page?: { limit: number; offset: number }): Promise<{ total: number; rows: MarkRow[] }> {
    const qb = this.query(filter, scope);
    if (page) qb.take(page.limit).skip(page.offset);
    const [marks, total] = await qb.getManyAndCount();
    const rows = marks.map((a) => ({
      id: a.id, day: a.day, markedAt: a.markedAt, slot: a.slot, status: a.status, source: a.source, confidence: a.confidence,
      studentId: a.studentId, studentName: a.student!.name, rollNumber: a.student!.rollNumber,
      classGroup: a.classGroup?.name ?? null, camera: a.camera?.name ?? null, note: a.note, reasonCode: a.reasonCode,
    }));
    return { total, rows };
  }

  /** A class group's roster (active, not deleted students) against its timetable over a period. */
  async groupReport(classGroupId: number, from: string, to: string, scope: GroupScope): Promise<{ group: ClassGroup; report: AttendanceReport }> {
    if (scope && !scope.includes(classGroupId)) throw new ForbiddenError('not one of your class groups');
    if (from > to) throw new BadRequestError('from is after to');
    const group = await this.ds.getRepository(ClassGroup).findOneBy({ id: classGroupId });
    if (!group) throw new NotFoundError(`class group ${classGroupId} not found`);
    // An archived year's group: its members as they were and only the marks made in it (the students moved on).
    const archived = group.academicYearId !== null;
    const roster = archived
      ? await this.ds.getRepository(Student).find({ where: { id: In((await this.ds.getRepository(ClassGroupMember).findBy({ classGroupId })).map((m) => m.studentId).concat(-1)) }, order: { name: 'ASC' }, withDeleted: true })
      : await this.ds.getRepository(Student).find({ where: { classGroupId, active: true }, order: { name: 'ASC' } });
    const timetable = await this.ds.getRepository(ClassSession).findBy({ classGroupId });
    const marks = roster.length
      ? await this.ds.getRepository(AttendanceLog).createQueryBuilder('a')
        .where({ studentId: In(roster.map((s) => s.id)), ...(archived ? { classGroupId } : {}) }).andWhere('a.day BETWEEN :from AND :to', { from, to }).getMany()
      : [];
    const calendar = await this.calendar.entries(from, to);
    const report = computeAttendanceReport({
      noLessons: (day) => dayOff(calendar, day, classGroupId) !== null,
      roster: roster.map((s) => ({ id: s.id, name: s.name, rollNumber: s.rollNumber })),
      timetable: timetable.map((t) => ({ id: t.id, weekday: t.weekday, startTime: t.startTime, endTime: t.endTime, subject: t.subject })),
      marks: marks.map((m) => ({ studentId: m.studentId, day: m.day, slot: m.slot, status: m.status })),
      from, to,
    });
    return { group, report };
  }

  /** One student's marks over a period, newest first, with the day-by-day summary of their group. */
  async studentHistory(studentId: number, from: string, to: string, scope: GroupScope) {
    const student = await this.ds.getRepository(Student).findOne({ where: { id: studentId }, withDeleted: true });
    if (!student) throw new NotFoundError(`student ${studentId} not found`);
    if (scope && (student.classGroupId === null || !scope.includes(student.classGroupId))) throw new ForbiddenError('not one of your students');
    const { rows } = await this.listMarks({ studentId, from, to }, scope);
    const summary = student.classGroupId === null ? null
      : (await this.groupReport(student.classGroupId, from, to, scope)).report.students.find((s) => s.student.id === studentId) ?? null;
    return { student: { id: student.id, name: student.name, rollNumber: student.rollNumber }, marks: rows, summary };
  }
}
