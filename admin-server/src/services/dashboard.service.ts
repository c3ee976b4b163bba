import { In, IsNull, type DataSource } from 'typeorm';
import { AttendanceLog, Camera, ClassGroup, ClassSession, Student, schoolDay } from '@attendance/shared';
import { daysBetween, isoWeekday } from './attendance-report.js';
import type { AttendanceService, GroupScope } from './attendance.service.js';
import { CalendarService, dayOff } from './calendar.service.js';

export interface DashboardData {
  today: string;
  rateByDay: { day: string; rate: number; marked: number; roster: number }[];
  /** `lessons`: the group's lessons today that happen (timetable minus the school calendar). */
  todayByGroup: { id: number; name: string; roster: number; present: number; late: number; excused: number; lessons: number }[];
  cameras: { id: number; name: string; room: string | null; status: string; detail: string | null; at: Date | null }[];
  recent: { at: Date; student: string; classGroup: string | null; status: string; source: string }[];
}

/** The numbers behind the dashboard's charts, limited to the caller's class groups. */
export class DashboardService {
  constructor(
    private readonly ds: DataSource,
    private readonly attendance: AttendanceService,
    private readonly timeZone: string,
    private readonly clock: () => Date,
  ) {}

  async load(scope: GroupScope, cameraScope: number[] | null, weeks = 4): Promise<DashboardData> {
    const now = this.clock();
    const today = schoolDay(now, this.timeZone);
    const from = schoolDay(new Date(now.getTime() - (weeks * 7 - 1) * 86_400_000), this.timeZone);
    // This year's class groups (an archived year's are history: their reports stay under Reports).
    const groups = await this.ds.getRepository(ClassGroup).find({ where: { academicYearId: IsNull(), ...(scope ? { id: In(scope.length ? scope : [-1]) } : {}) }, order: { name: 'ASC' } });
    const students = await this.ds.getRepository(Student).find({ where: { active: true, classGroupId: In(groups.map((g) => g.id).concat(-1)) }, select: { id: true, classGroupId: true } });
    const ids = students.map((s) => s.id);
    // Whoever has any present or late mark on a day attended that day.
    const attended: { day: string; studentId: number }[] = ids.length
      ? await this.ds.getRepository(AttendanceLog).createQueryBuilder('a').select('a.day', 'day').addSelect('a.studentId', 'studentId')
        .where({ studentId: In(ids) }).andWhere('a.day BETWEEN :from AND :today', { from, today })
        .andWhere("a.status IN ('present', 'late')").groupBy('a.day').addGroupBy('a.studentId').getRawMany()
      : [];
    // Days and groups without lessons (school calendar) leave the rate: a holiday is not a day everyone missed.
    const calendar = await new CalendarService(this.ds).entries(from, today);
    const groupOf = new Map(students.map((s) => [s.id, s.classGroupId]));
    const expected = (day: string) => new Set(students.filter((s) => dayOff(calendar, day, s.classGroupId) === null).map((s) => s.id));
    const perDay = new Map<string, number>();
    const seen = new Map<string, Set<number>>();
    for (const r of attended) {
      if (!seen.has(r.day)) seen.set(r.day, expected(r.day));
      if (seen.get(r.day)!.has(Number(r.studentId)) && groupOf.has(Number(r.studentId))) perDay.set(r.day, (perDay.get(r.day) ?? 0) + 1);
    }
    const rateByDay = daysBetween(from, today).filter((d) => (isoWeekday(d) <= 5 || perDay.has(d)) && dayOff(calendar, d, null) === null)
      .map((day) => ({ day, roster: (seen.get(day) ?? expected(day)).size, marked: perDay.get(day) ?? 0 }))
      .filter((d) => d.roster > 0)
      .map((d) => ({ ...d, rate: d.marked / d.roster }));
    const todaysLessons = await this.ds.getRepository(ClassSession).findBy({ weekday: isoWeekday(today) });

    // Today counts every mark, timetabled day or not: a Saturday club still shows who came.
    const todayStatus = new Map<number, string>();
    for (const m of ids.length ? await this.ds.getRepository(AttendanceLog).find({ where: { studentId: In(ids), day: today }, order: { markedAt: 'ASC' } }) : []) {
      if (m.slot === 'day' || !todayStatus.has(m.studentId)) todayStatus.set(m.studentId, m.status);
    }
    const todayByGroup = groups.map((g) => {
      const members = students.filter((s) => s.classGroupId === g.id);
      const count = (st: string) => members.filter((s) => todayStatus.get(s.id) === st).length;
      const lessons = dayOff(calendar, today, g.id) ? 0 : todaysLessons.filter((l) => l.classGroupId === g.id).length;
      return { id: g.id, name: g.name, roster: members.length, present: count('present'), late: count('late'), excused: count('excused'), lessons };
    });

    const cameras = (await this.ds.getRepository(Camera).find({ where: cameraScope ? { id: In(cameraScope.concat(-1)) } : {}, order: { name: 'ASC' } }))
      .map((c) => ({ id: c.id, name: c.name, room: c.room, status: c.status, detail: c.statusDetail, at: c.statusAt }));
    const { rows } = await this.attendance.listMarks({}, scope, { limit: 10, offset: 0 });
    const recent = rows.map((r) => ({ at: r.markedAt, student: r.studentName, classGroup: r.classGroup, status: r.status, source: r.source }));
    return { today, rateByDay, todayByGroup, cameras, recent };
  }
}
