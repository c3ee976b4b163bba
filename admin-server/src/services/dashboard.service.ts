import { In, type DataSource } from 'typeorm';
import { AttendanceLog, Camera, ClassGroup, Student, schoolDay } from '@attendance/shared';
import { daysBetween, isoWeekday } from './attendance-report.js';
import type { AttendanceService, GroupScope } from './attendance.service.js';

export interface DashboardData {
  today: string;
  rateByDay: { day: string; rate: number; marked: number; roster: number }[];
  todayByGroup: { id: number; name: string; roster: number; present: number; late: number }[];
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
    const groups = await this.ds.getRepository(ClassGroup).find({ where: scope ? { id: In(scope.length ? scope : [-1]) } : {}, order: { name: 'ASC' } });
    const students = await this.ds.getRepository(Student).find({ where: { active: true, classGroupId: In(groups.map((g) => g.id).concat(-1)) }, select: { id: true, classGroupId: true } });
    const ids = students.map((s) => s.id);
    // Whoever has any present or late mark on a day attended that day.
    const attended: { day: string; studentId: number }[] = ids.length
      ? await this.ds.getRepository(AttendanceLog).createQueryBuilder('a').select('a.day', 'day').addSelect('a.studentId', 'studentId')
        .where({ studentId: In(ids) }).andWhere('a.day BETWEEN :from AND :today', { from, today })
        .andWhere("a.status IN ('present', 'late')").groupBy('a.day').addGroupBy('a.studentId').getRawMany()
      : [];
    const perDay = new Map<string, number>();
    for (const r of attended) perDay.set(r.day, (perDay.get(r.day) ?? 0) + 1);
    const rateByDay = daysBetween(from, today).filter((d) => isoWeekday(d) <= 5 || perDay.has(d))
      .map((day) => ({ day, marked: perDay.get(day) ?? 0, roster: ids.length, rate: ids.length ? (perDay.get(day) ?? 0) / ids.length : 0 }));

    // Today counts every mark, timetabled day or not: a Saturday club still shows who came.
    const todayStatus = new Map<number, string>();
    for (const m of ids.length ? await this.ds.getRepository(AttendanceLog).find({ where: { studentId: In(ids), day: today }, order: { markedAt: 'ASC' } }) : []) {
      if (m.slot === 'day' || !todayStatus.has(m.studentId)) todayStatus.set(m.studentId, m.status);
    }
    const todayByGroup = groups.map((g) => {
      const members = students.filter((s) => s.classGroupId === g.id);
      const count = (st: string) => members.filter((s) => todayStatus.get(s.id) === st).length;
      return { id: g.id, name: g.name, roster: members.length, present: count('present'), late: count('late') };
    });

    const cameras = (await this.ds.getRepository(Camera).find({ where: cameraScope ? { id: In(cameraScope.concat(-1)) } : {}, order: { name: 'ASC' } }))
      .map((c) => ({ id: c.id, name: c.name, room: c.room, status: c.status, detail: c.statusDetail, at: c.statusAt }));
    const { rows } = await this.attendance.listMarks({}, scope, { limit: 10, offset: 0 });
    const recent = rows.map((r) => ({ at: r.markedAt, student: r.studentName, classGroup: r.classGroup, status: r.status, source: r.source }));
    return { today, rateByDay, todayByGroup, cameras, recent };
  }
}
