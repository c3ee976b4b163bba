import { Brackets, type DataSource, type SelectQueryBuilder, type WhereExpressionBuilder } from 'typeorm';
import { CALENDAR_KINDS, CalendarEntry, type CalendarKind } from '@attendance/shared';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface CalendarRange { kind: CalendarKind; name: string; startDay: string; endDay: string; classGroupId: number | null }

/** Why lessons do not happen on a day, or null when they do. */
export type DayOff = { kind: CalendarKind | 'out_of_term'; name: string } | null;

/**
 * The school calendar as a pure function of its entries. Lessons do not happen on a day covered by a
 * holiday or closure, for one class group on a day covered by its exception (a trip), and, once the
 * school has entered any term, on a day outside every term.
 */
export function dayOff(entries: CalendarRange[], day: string, classGroupId: number | null): DayOff {
  const covers = (e: CalendarRange) => e.startDay <= day && day <= e.endDay;
  const closed = entries.find((e) => (e.kind === 'holiday' || e.kind === 'closure') && covers(e));
  if (closed) return { kind: closed.kind, name: closed.name };
  const trip = classGroupId === null ? undefined : entries.find((e) => e.kind === 'exception' && e.classGroupId === classGroupId && covers(e));
  if (trip) return { kind: trip.kind, name: trip.name };
  const terms = entries.filter((e) => e.kind === 'term');
  if (terms.length && !terms.some(covers)) return { kind: 'out_of_term', name: 'outside the school terms' };
  return null;
}

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

  /** The entries that can matter between `from` and `to` (every term, since days outside all terms are off). */
  async entries(from: string, to: string): Promise<CalendarRange[]> {
    const qb: SelectQueryBuilder<CalendarEntry> = this.ds.getRepository(CalendarEntry).createQueryBuilder('e')
      .where("e.kind = 'term'").orWhere('(e.startDay <= :to AND e.endDay >= :from)', { from, to });
    return (await qb.getMany()).map(({ kind, name, startDay, endDay, classGroupId }) => ({ kind, name, startDay, endDay, classGroupId }));
  }

  /** Whether lessons happen on `day` for a class group (null = the whole school). */
  async dayOff(day: string, classGroupId: number | null): Promise<DayOff> {
    return dayOff(await this.entries(day, day), day, classGroupId);
  }
}
