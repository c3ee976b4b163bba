import type { DataSource, EntityManager } from 'typeorm';
import { CalendarEntry, type CalendarKind } from './entities/calendar-entry.entity.js';

export interface CalendarRange { kind: CalendarKind; name: string; startDay: string; endDay: string; classGroupId: number | null }

/** Why lessons do not happen on a day, or null when they do. */
export type DayOff = { kind: CalendarKind | 'out_of_term'; name: string } | null;

/**
 * The school calendar as a pure function of its entries. Lessons do not happen on a day covered by a
 * holiday or closure, for one class group on a day covered by its exception (a trip), and, once the
 * school has entered any term, on a day outside every term. The admin server's reports and the
 * engine's marking read this one rule.
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

/** The entries that can matter between `from` and `to` (every term: days outside all terms are off). */
export async function calendarEntries(db: DataSource | EntityManager, from: string, to: string): Promise<CalendarRange[]> {
  const rows = await db.getRepository(CalendarEntry).createQueryBuilder('e')
    .where("e.kind = 'term'").orWhere('(e.startDay <= :to AND e.endDay >= :from)', { from, to }).getMany();
  return rows.map(({ kind, name, startDay, endDay, classGroupId }) => ({ kind, name, startDay, endDay, classGroupId }));
}
