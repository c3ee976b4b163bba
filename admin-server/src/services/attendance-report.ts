/**
 * The attendance report, computed from plain data so it can be tested without a database:
 * a class group's roster, its weekly timetable and the marks of a period → who was present,
 * late, absent or excused on each school day and in each timetabled session.
 */
export type ReportStatus = 'present' | 'late' | 'absent' | 'excused';

export interface RosterStudent { id: number; name: string; rollNumber: string }
export interface TimetableSlot { id: number; weekday: number; startTime: string; endTime: string; subject: string | null }
export interface Mark { studentId: number; day: string; slot: string; status: ReportStatus }

export interface ReportInput {
  roster: RosterStudent[];
  timetable: TimetableSlot[];
  marks: Mark[];
  /** Inclusive `YYYY-MM-DD` bounds. */
  from: string;
  to: string;
  /** Days without lessons for this group (school calendar: holidays, closures, trips, outside terms): left out. */
  noLessons?: (day: string) => boolean;
}

export interface DayReport {
  day: string;
  weekday: number;
  sessions: TimetableSlot[];
  /** student id → the day's status. */
  status: Record<number, ReportStatus>;
  /** session id → student id → status in that session. */
  sessionStatus: Record<number, Record<number, ReportStatus>>;
  totals: Record<ReportStatus, number>;
}

export interface StudentTotals { student: RosterStudent; counts: Record<ReportStatus, number>; rate: number }

export interface AttendanceReport { from: string; to: string; days: DayReport[]; students: StudentTotals[] }

/** Longest period one report covers: a school year, so a typo in a date cannot make it loop for ages. */
export const MAX_REPORT_DAYS = 366;

const emptyCounts = (): Record<ReportStatus, number> => ({ present: 0, late: 0, absent: 0, excused: 0 });

/** ISO weekday of a calendar date (the date itself, no time zone involved). */
export function isoWeekday(day: string): number {
  const d = new Date(`${day}T00:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end; t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
    if (out.length > MAX_REPORT_DAYS) throw new RangeError(`a report covers at most ${MAX_REPORT_DAYS} days`);
  }
  return out;
}

/**
 * School days are the weekdays the group has lessons; a group without a timetable is expected
 * Monday to Friday. A session's status is its own mark (`session:<id>`), else absent. The day's
 * status is a whole-day mark when one exists (manual marks and corrections are whole-day or
 * per-session rows, and a whole-day row is the final word), else the status of the student's
 * first attended session of the day, else absent.
 */
export function computeAttendanceReport(input: ReportInput): AttendanceReport {
  const schoolWeekdays = new Set(input.timetable.length ? input.timetable.map((s) => s.weekday) : [1, 2, 3, 4, 5]);
  const byKey = new Map<string, ReportStatus>();
  for (const m of input.marks) byKey.set(`${m.studentId}|${m.day}|${m.slot}`, m.status);
  const totals = new Map(input.roster.map((s) => [s.id, emptyCounts()]));

  const days: DayReport[] = [];
  for (const day of daysBetween(input.from, input.to)) {
    const weekday = isoWeekday(day);
    if (!schoolWeekdays.has(weekday) || input.noLessons?.(day)) continue;
    const sessions = input.timetable.filter((s) => s.weekday === weekday).sort((a, b) => a.startTime.localeCompare(b.startTime));
    const report: DayReport = { day, weekday, sessions, status: {}, sessionStatus: {}, totals: emptyCounts() };
    for (const s of sessions) report.sessionStatus[s.id] = {};
    for (const student of input.roster) {
      let first: ReportStatus | undefined;
      for (const s of sessions) {
        const st = byKey.get(`${student.id}|${day}|session:${s.id}`) ?? 'absent';
        report.sessionStatus[s.id][student.id] = st;
        if (!first && st !== 'absent') first = st;
      }
      const status = byKey.get(`${student.id}|${day}|day`) ?? first ?? 'absent';
      report.status[student.id] = status;
      report.totals[status]++;
      totals.get(student.id)![status]++;
    }
    days.push(report);
  }
  const students = input.roster.map((student) => {
    const counts = totals.get(student.id)!;
    const expected = counts.present + counts.late + counts.absent;
    return { student, counts, rate: expected ? (counts.present + counts.late) / expected : 1 };
  });
  return { from: input.from, to: input.to, days, students };
}
