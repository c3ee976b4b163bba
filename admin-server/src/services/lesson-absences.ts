/**
 * Absences nobody marked: once a lesson has ended (plus ABSENT_AFTER_LESSON_MINUTES), every active student of
 * its class without a mark in it gets an `absent` mark with source `auto`, on days the school calendar gives
 * the class lessons. Stored, not only announced: the register, the reports and the export then say the same,
 * the attendance events trigger raises `student.absent` with the mark (once: the (student, day, slot) key
 * refuses a second mark, whichever process or restart tries), and the teacher still corrects it with one tap
 * (a hand mark corrects the row; a camera cannot mark a lesson that is over).
 */
import { In, IsNull, type DataSource } from 'typeorm';
import { AttendanceLog, ClassSession, Student, calendarEntries, createLogger, dayOff, isUniqueViolation, parseClockTime, schoolClock, schoolDay, writeAudit } from '@attendance/shared';

const log = createLogger('lesson-absences');

export class LessonAbsenceService {
  constructor(private readonly ds: DataSource, private readonly timeZone: string, private readonly graceMinutes: number, private readonly clock: () => Date = () => new Date()) {}

  /** Today's lessons that ended at least `graceMinutes` ago: their unmarked students are stored absent. Returns how many. */
  async sweep(): Promise<number> {
    const now = this.clock();
    const day = schoolDay(now, this.timeZone);
    const { weekday, minutes } = schoolClock(now, this.timeZone);
    const over = (await this.ds.getRepository(ClassSession).findBy({ weekday, classGroup: { academicYearId: IsNull() } })).filter((l) => endsBy(l, minutes - this.graceMinutes));
    if (!over.length) return 0;
    const calendar = await calendarEntries(this.ds, day, day);
    let total = 0;
    for (const lesson of over) {
      if (dayOff(calendar, day, lesson.classGroupId)) continue;
      const slot = `session:${lesson.id}`;
      const roster = await this.ds.getRepository(Student).find({ where: { classGroupId: lesson.classGroupId, active: true }, select: { id: true } });
      if (!roster.length) continue;
      const marked = new Set((await this.ds.getRepository(AttendanceLog).find({ where: { studentId: In(roster.map((s) => s.id)), day, slot }, select: { studentId: true } })).map((m) => m.studentId));
      const written: number[] = [];
      for (const { id: studentId } of roster.filter((s) => !marked.has(s.id))) {
        try {
          await this.ds.getRepository(AttendanceLog).insert({ studentId, day, slot, status: 'absent', markedAt: now, source: 'auto', classSessionId: lesson.id, confidence: null, cameraId: null, markedById: null });
          written.push(studentId);
        } catch (err) {
          if (!isUniqueViolation(err)) throw err; // marked meanwhile (a teacher, another admin server): that mark stands
        }
      }
      if (written.length) {
        await writeAudit(this.ds, { action: 'attendance.auto-absent', actor: null, entity: 'class_session', entityId: lesson.id, details: { day, students: written } }, now);
        log.info({ lesson: lesson.id, day, absent: written.length }, 'unmarked students stored absent after the lesson');
      }
      total += written.length;
    }
    return total;
  }

  /** Sweeps every `intervalMs`; returns a function that stops it. */
  start(intervalMs = 60_000): () => void {
    const timer = setInterval(() => { this.sweep().catch((err: unknown) => log.error({ err }, 'lesson absences not written; trying again')); }, intervalMs);
    return () => clearInterval(timer);
  }
}

/** Whether a lesson ended by `minute` (minutes since midnight); a malformed time (saved before the checks) never does. */
function endsBy(l: ClassSession, minute: number): boolean {
  try { return parseClockTime(l.endTime) <= minute; } catch { return false; }
}
