import type { DataSource } from 'typeorm';
import { BadRequestError, Camera, ClassGroup, ClassSession, ForbiddenError, NotFoundError, parseId } from '@attendance/shared';
import { lessonFieldErrors } from './timetable.js';

/** One lesson as the week grid shows it. */
export interface WeekLesson { id: number; weekday: number; startTime: string; endTime: string; subject: string | null; cameraId: number | null; camera: string | null; lateAfterMinutes: number }

/** A lesson typed once in the grid's form, repeated on every weekday chosen. */
export interface NewLessons { subject: string | null; startTime: string; endTime: string; cameraId: number | null; lateAfterMinutes: number; weekdays: number[] }

/** A refused lesson: the form's field and a sentence, per weekday it was meant for. */
export interface LessonFieldError { weekday: number; field: string; message: string }

const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/**
 * The week-grid timetable editor's data: a class group's lessons for the week, lessons added on several
 * weekdays at once (all or none, each checked by the timetable rules the panel form and the import use),
 * and a lesson removed. `scope` is the caller's class groups (null = the whole school).
 */
export class TimetableWeekService {
  constructor(private readonly ds: DataSource) {}

  async week(classGroupId: number, scope: number[] | null): Promise<{ group: { id: number; name: string }; lessons: WeekLesson[]; cameras: { id: number; name: string }[] }> {
    const group = await this.group(classGroupId, scope);
    const rows = await this.ds.getRepository(ClassSession).find({ where: { classGroupId }, order: { startTime: 'ASC', weekday: 'ASC' } });
    const cameras = await this.ds.getRepository(Camera).find({ order: { name: 'ASC' }, select: { id: true, name: true } });
    const cameraName = new Map(cameras.map((c) => [c.id, c.name]));
    return {
      group: { id: group.id, name: group.name },
      lessons: rows.map((l) => ({ id: l.id, weekday: l.weekday, startTime: l.startTime, endTime: l.endTime, subject: l.subject, cameraId: l.cameraId, camera: l.cameraId ? cameraName.get(l.cameraId) ?? null : null, lateAfterMinutes: l.lateAfterMinutes })),
      cameras: cameras.map((c) => ({ id: c.id, name: c.name })),
    };
  }

  /** Saves the lesson on every chosen weekday in one transaction, or none of them with the reasons (a 400). */
  async add(classGroupId: number, input: unknown): Promise<WeekLesson[]> {
    await this.group(classGroupId, null);
    const l = parseNewLessons(input);
    if (l.cameraId !== null && !(await this.ds.getRepository(Camera).existsBy({ id: l.cameraId }))) throw new BadRequestError(`camera ${l.cameraId} does not exist`);
    const { weekdays: _days, ...lesson } = l;
    return this.ds.transaction(async (tx) => {
      const found: LessonFieldError[] = [];
      const saved: ClassSession[] = [];
      for (const weekday of l.weekdays) {
        const problems = await lessonFieldErrors(tx, { classGroupId, cameraId: l.cameraId, weekday, startTime: l.startTime, endTime: l.endTime });
        for (const [field, message] of Object.entries(problems)) found.push({ weekday, field, message });
        // Saved as it goes, so the next weekday's overlap check sees it; a refusal rolls every one back.
        if (!Object.keys(problems).length) saved.push(await tx.getRepository(ClassSession).save(tx.getRepository(ClassSession).create({ ...lesson, classGroupId, weekday })));
      }
      const errors = perDay(found, l.weekdays);
      if (errors.length) throw new BadRequestError(errors.length === 1 ? errors[0].message : `${errors.length} problems: nothing was saved`, { fields: errors });
      return saved.map((s) => ({ id: s.id, weekday: s.weekday, startTime: s.startTime, endTime: s.endTime, subject: s.subject, cameraId: s.cameraId, camera: null, lateAfterMinutes: s.lateAfterMinutes }));
    });
  }

  async remove(lessonId: number): Promise<void> {
    const { affected } = await this.ds.getRepository(ClassSession).delete({ id: lessonId });
    if (!affected) throw new NotFoundError(`lesson ${lessonId} does not exist`);
  }

  private async group(id: number, scope: number[] | null): Promise<ClassGroup> {
    if (scope && !scope.includes(id)) throw new ForbiddenError('this class group is not one of yours');
    const group = await this.ds.getRepository(ClassGroup).findOneBy({ id });
    if (!group) throw new NotFoundError(`class group ${id} does not exist`);
    return group;
  }
}

/** A problem every chosen weekday has (a time like "3pm") is said once; one of some days only names the day. */
function perDay(found: LessonFieldError[], weekdays: number[]): LessonFieldError[] {
  const everyDay = (e: LessonFieldError) => found.filter((x) => x.field === e.field && x.message === e.message).length === weekdays.length;
  const out: LessonFieldError[] = [];
  for (const e of found) {
    if (weekdays.length > 1 && everyDay(e)) {
      if (!out.some((x) => x.weekday === 0 && x.field === e.field && x.message === e.message)) out.push({ ...e, weekday: 0 });
    } else out.push(weekdays.length > 1 ? { ...e, message: `${DAY_NAMES[e.weekday - 1]}: ${e.message}` } : e);
  }
  return out;
}

/** The JSON body of "add a lesson", checked for shape (the times themselves are the timetable rules' job). */
export function parseNewLessons(input: unknown): NewLessons {
  const b = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const weekdays = Array.isArray(b.weekdays) ? [...new Set(b.weekdays.map(Number))].sort((x, y) => x - y) : [];
  if (!weekdays.length || weekdays.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) {
    throw new BadRequestError('choose at least one weekday', { fields: [{ weekday: 0, field: 'weekdays', message: 'Choose at least one weekday.' }] });
  }
  const late = b.lateAfterMinutes === undefined || b.lateAfterMinutes === '' ? 10 : Number(b.lateAfterMinutes);
  if (!Number.isInteger(late) || late < 0 || late > 240) {
    throw new BadRequestError('late after: 0 to 240 minutes', { fields: [{ weekday: 0, field: 'lateAfterMinutes', message: 'Late after is 0 to 240 minutes.' }] });
  }
  const subject = typeof b.subject === 'string' && b.subject.trim() ? b.subject.trim().slice(0, 64) : null;
  const cameraId = b.cameraId === undefined || b.cameraId === null || b.cameraId === '' ? null : parseId(b.cameraId, 'cameraId');
  return { subject, startTime: String(b.startTime ?? '').trim(), endTime: String(b.endTime ?? '').trim(), cameraId, lateAfterMinutes: late, weekdays };
}
