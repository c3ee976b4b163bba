import { Brackets, type DataSource, type WhereExpressionBuilder } from 'typeorm';
import { CALENDAR_KINDS, calendarEntries, dayOff, type CalendarRange, type DayOff } from '@attendance/shared';

export { dayOff, type CalendarRange, type DayOff };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Checks an entry before it is saved: a message per field, empty when it is fine. */
export function checkCalendarEntry(e: Partial<Record<keyof CalendarRange, unknown>>): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!(CALENDAR_KINDS as readonly unknown[]).includes(e.kind)) errors.kind = `one of ${CALENDAR_KINDS.join(', ')}`;
  for (const k of ['startDay', 'endDay'] as const) {
    if (typeof e[k] !== 'string' || !DAY.test(e[k] as string) || Number.isNaN(Date.parse(`${e[k]}T00:00:00Z`))) errors[k] = 'a date, YYYY-MM-DD';
  }
  if (!errors.startDay && !errors.endDay && (e.endDay as string) < (e.startDay as string)) errors.endDay = 'the last day is before the first';
  const group = e.classGroupId === '' || e.classGroupId === undefined ? null : e.classGroupId;
  if (e.kind === 'exception' && group === null) errors.classGroupId = 'an exception (trip) is for one class group';
  if (e.kind !== 'exception' && group !== null) errors.classGroupId = 'only an exception (trip) names a class group';
  return errors;
}

/**
 * Adds "the mark's day had lessons" to a query over attendance_log (alias `dayCol`, e.g. `a.day`) joined to
 * its student's class group column (`groupCol`, e.g. `s.classGroupId`): marks on days off leave every export.
 */
export function onSchoolDays<T extends WhereExpressionBuilder>(qb: T, dayCol: string, groupCol: string): T {
  const entry = (kind: string, extra = '') =>
    `SELECT 1 FROM calendar_entries ce WHERE ce.kind IN (${kind}) AND ${dayCol} BETWEEN ce.start_day AND ce.end_day${extra}`;
  qb.andWhere(`NOT EXISTS (${entry("'holiday', 'closure'")})`)
    .andWhere(`NOT EXISTS (${entry("'exception'", ` AND ce.class_group_id = ${groupCol}`)})`)
    .andWhere(new Brackets((b) => b.where("NOT EXISTS (SELECT 1 FROM calendar_entries t WHERE t.kind = 'term')").orWhere(`EXISTS (${entry("'term'")})`)));
  return qb;
}

export class CalendarService {
  constructor(private readonly ds: DataSource) {}

  entries(from: string, to: string): Promise<CalendarRange[]> {
    return calendarEntries(this.ds, from, to);
  }

  /** Whether lessons happen on `day` for a class group (null = the whole school). */
  async dayOff(day: string, classGroupId: number | null): Promise<DayOff> {
    return dayOff(await this.entries(day, day), day, classGroupId);
  }
}
