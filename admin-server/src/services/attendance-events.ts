/**
 * The attendance events outbox, relayed: database triggers append an `attendance_events` row in the same
 * transaction as every mark that becomes `late` or `absent`, whoever wrote it (the engine's cameras in their
 * own process, the register, the lesson-end absence sweep, AdminJS, the SIS API). This relay turns each row,
 * in order, into a domain event (`student.late`, `student.absent`) and deletes it once every listener took
 * it. An event is emitted at least once, always with the id `attendance-event-<row id>`; the webhooks log one
 * delivery per endpoint and event id, so a repeat after a crash or a failed listener sends nothing twice.
 */
import type { DataSource } from 'typeorm';
import { AttendanceLog, createLogger } from '@attendance/shared';
import type { DomainEventBus, LessonStudent } from './domain-events.js';

const log = createLogger('attendance-events');
const BATCH = 200;

export class AttendanceEventRelay {
  private tail: Promise<number> = Promise.resolve(0);

  constructor(private readonly ds: DataSource, private readonly bus: DomainEventBus) {}

  /** Relays what is waiting; calls run one after another (a request's own mark, the poll). Resolves to how many went out. */
  drain(): Promise<number> {
    this.tail = this.tail.catch(() => 0).then(() => this.pass());
    return this.tail;
  }

  /** Polls the outbox every `intervalMs` (the engine writes it from another process); returns a function that stops it. */
  start(intervalMs = 2000): () => void {
    const timer = setInterval(() => { this.drain().catch((err: unknown) => log.error({ err }, 'attendance events not relayed; trying again')); }, intervalMs);
    return () => clearInterval(timer);
  }

  private async pass(): Promise<number> {
    let sent = 0;
    for (;;) {
      const rows: { id: number | string; attendance_id: number | string; status: string }[] = await this.ds.createQueryBuilder()
        .select('e.id', 'id').addSelect('e.attendance_id', 'attendance_id').addSelect('e.status', 'status')
        .from('attendance_events', 'e').orderBy('e.id', 'ASC').limit(BATCH).getRawMany();
      for (const row of rows) {
        const mark = await this.ds.getRepository(AttendanceLog).findOne({ where: { id: Number(row.attendance_id) }, relations: { student: true, classGroup: true }, withDeleted: true });
        // A mark erased since (its student deleted) is no news any more.
        if (mark?.student) {
          const ok = await this.bus.emit(row.status === 'late' ? 'student.late' : 'student.absent', payload(mark, row.status), `attendance-event-${row.id}`);
          if (!ok) return sent; // kept, in order: the next pass emits it again with the same id
          sent++;
        }
        await this.ds.createQueryBuilder().delete().from('attendance_events').where('id = :id', { id: Number(row.id) }).execute();
      }
      if (rows.length < BATCH) return sent;
    }
  }
}

function payload(m: AttendanceLog, status: string): LessonStudent {
  const s = m.student!;
  return {
    studentId: s.id, studentName: s.name, rollNumber: s.rollNumber, classGroup: m.classGroup?.name ?? null, day: m.day,
    classSessionId: m.slot.startsWith('session:') ? Number(m.slot.slice(8)) : null, status, source: m.source,
    reason: m.reasonCode, note: m.note, at: m.markedAt.toISOString(),
  };
}
