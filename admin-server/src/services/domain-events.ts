import crypto from 'node:crypto';
import { createLogger } from '@attendance/shared';

/** What happened in the school's day, as the domain says it; transports (webhooks) subscribe. */
export interface LessonStudent {
  studentId: number; studentName: string; rollNumber: string; classGroup: string | null;
  /** `YYYY-MM-DD`, school time zone. */
  day: string;
  /** The timetable lesson, or null for a whole-day mark. */
  classSessionId: number | null;
  status: string; reason: string | null; note: string | null;
  /** Who made the mark: `camera`, `laptop`, `manual`, `api`, or `auto` (nobody marked them by the end of the lesson). */
  source: string;
  /** When the mark was made (ISO, UTC). */
  at: string;
}
export interface DomainEvents {
  'register.confirmed': { classSessionId: number; classGroup: string | null; day: string; confirmedBy: string | null; at: string; counts: Record<string, number> };
  'student.absent': LessonStudent;
  'student.late': LessonStudent;
}
export type DomainEventName = keyof DomainEvents;
/** `eventId` is the same every time one event is emitted again (after a failure): listeners drop repeats by it. */
type Listener<K extends DomainEventName> = (payload: DomainEvents[K], eventId: string) => Promise<void> | void;

const log = createLogger('domain-events');

/**
 * In-process and after the commit: the domain emits once its transaction has committed, and a
 * listener's failure is logged, never thrown back into the request that made the change.
 */
export class DomainEventBus {
  private readonly listeners = new Map<DomainEventName, Array<Listener<never>>>();

  on<K extends DomainEventName>(name: K, fn: Listener<K>): void {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn as Listener<never>]);
  }

  /**
   * Resolves when every listener has taken the event (e.g. logged its deliveries): true when all took it,
   * false when one failed (an outbox relay then keeps the event and emits it again with the same id).
   */
  async emit<K extends DomainEventName>(name: K, payload: DomainEvents[K], eventId: string = crypto.randomUUID()): Promise<boolean> {
    const results = await Promise.all((this.listeners.get(name) ?? []).map(async (fn) => {
      try {
        await (fn as Listener<K>)(payload, eventId);
        return true;
      } catch (err) {
        log.error({ err, event: name, eventId }, 'an event listener failed; the change itself is committed');
        return false;
      }
    }));
    return results.every(Boolean);
  }
}
