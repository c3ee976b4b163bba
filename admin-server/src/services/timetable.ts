import { Not, type EntityManager } from 'typeorm';
import { ClassSession, parseClockTime } from '@attendance/shared';

/** A weekly lesson as typed or imported, before it is saved. */
export interface LessonInput { id?: number; classGroupId: number; cameraId: number | null; room?: string | null; weekday: number; startTime: string; endTime: string }

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * The times a lesson may have, as sentences a school secretary understands: 24-hour `HH:MM`
 * (a `3pm` would be saved and then never match a clock), an end after the start, a weekday 1–7.
 * An empty list means the lesson is valid on its own.
 */
export function lessonProblems(l: Pick<LessonInput, 'weekday' | 'startTime' | 'endTime'>): string[] {
  const out: string[] = [];
  if (!Number.isInteger(l.weekday) || l.weekday < 1 || l.weekday > 7) out.push('the weekday must be 1 (Monday) to 7 (Sunday)');
  for (const [label, v] of [['start', l.startTime], ['end', l.endTime]] as const) {
    if (!HHMM.test(String(v ?? ''))) out.push(`the ${label} time "${v ?? ''}" is not a 24-hour time like 08:30 or 15:00`);
  }
  if (!out.length && parseClockTime(l.endTime) <= parseClockTime(l.startTime)) out.push(`the lesson ends (${l.endTime}) before or when it starts (${l.startTime})`);
  return out;
}

const overlap = (a: Pick<LessonInput, 'startTime' | 'endTime'>, b: Pick<LessonInput, 'startTime' | 'endTime'>) =>
  a.startTime < b.endTime && b.startTime < a.endTime;

/** Lessons of the same class, or in front of the same camera or in the same room, that this one would overlap. */
export function clashes(l: LessonInput, others: LessonInput[]): string[] {
  return others
    .filter((o) => o.id === undefined || o.id !== l.id)
    .filter((o) => o.weekday === l.weekday && overlap(l, o) && (o.classGroupId === l.classGroupId || (l.cameraId !== null && o.cameraId === l.cameraId) || (!!l.room && o.room === l.room)))
    .map((o) => `it overlaps the lesson ${o.startTime}–${o.endTime} of the same ${o.classGroupId === l.classGroupId ? 'class' : o.room && o.room === l.room ? 'room' : 'room (camera)'}`);
}

/**
 * The problems of a lesson typed in the panel, by form field (AdminJS shows each under its field);
 * empty when it can be saved.
 */
export async function lessonFieldErrors(tx: EntityManager, l: LessonInput): Promise<Record<string, string>> {
  const errors: Record<string, string> = {};
  for (const p of lessonProblems(l)) {
    const field = p.startsWith('the weekday') ? 'weekday' : p.startsWith('the start') ? 'startTime' : 'endTime';
    errors[field] ??= `${p[0].toUpperCase()}${p.slice(1)}.`;
  }
  if (!Object.keys(errors).length) {
    const sameDay = await tx.getRepository(ClassSession).find({ where: { weekday: l.weekday, ...(l.id ? { id: Not(l.id) } : {}) } });
    const clash = clashes(l, sameDay)[0];
    if (clash) errors.startTime = `${clash[0].toUpperCase()}${clash.slice(1)}.`;
  }
  return errors;
}
