import type { DataSource } from 'typeorm';
import { StudentPresence, isUniqueViolation, schoolDay } from '@attendance/shared';

/** Sightings closer together than this update only the in-memory copy: a camera sees a face many times a second. */
const WRITE_EVERY_MS = 30_000;

/**
 * First-seen and last-seen per student, day and camera. Writes are throttled per key; the last
 * sighting of a burst is written on the next sighting after the throttle or by `flush()` on stop.
 */
export class PresenceService {
  private readonly pending = new Map<string, { studentId: number; cameraId: number | null; day: string; at: Date; writtenAt: number }>();

  constructor(private readonly db: DataSource, private readonly timeZone: string) {}

  async seen(studentId: number, cameraId: number | null, at: Date): Promise<void> {
    const day = schoolDay(at, this.timeZone);
    const key = `${studentId}/${cameraId ?? 0}/${day}`;
    const entry = this.pending.get(key);
    if (entry && at.getTime() - entry.writtenAt < WRITE_EVERY_MS) { entry.at = at; return; }
    this.pending.set(key, { studentId, cameraId, day, at, writtenAt: at.getTime() });
    await this.write(studentId, cameraId, day, at);
  }

  async flush(): Promise<void> {
    for (const e of this.pending.values()) if (e.at.getTime() > e.writtenAt) await this.write(e.studentId, e.cameraId, e.day, e.at);
    this.pending.clear();
  }

  private async write(studentId: number, cameraId: number | null, day: string, at: Date): Promise<void> {
    const repo = this.db.getRepository(StudentPresence);
    const where = { studentId, day, cameraKey: cameraId ?? 0 };
    const updated = await repo.update(where, { lastSeenAt: at });
    if (updated.affected) return;
    try {
      await repo.insert({ ...where, cameraId, firstSeenAt: at, lastSeenAt: at });
    } catch (err) {
      // Another engine inserted the row first: then ours is a later sighting.
      if (!isUniqueViolation(err)) throw err;
      await repo.update(where, { lastSeenAt: at });
    }
  }
}
