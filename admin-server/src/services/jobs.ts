import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, jobId, type GalleryJobName, type JobPayloads } from '@attendance/shared';

/** The part of a BullMQ Queue the admin server uses; tests pass a recorder. */
export interface JobQueue {
  add(name: string, data: unknown, opts?: { jobId?: string; removeOnComplete?: number; attempts?: number }): Promise<unknown>;
}

/** A request waits at most this long for Redis to take the hint. */
const HINT_WAIT_MS = 500;
const log = createLogger('admin-server');

/**
 * Tells every engine to sync its gallery now; the id makes a double click one job. Only a hint: the
 * change is already committed together with its gallery outbox row (database triggers), which the
 * engines poll, so with Redis down the request goes on after HINT_WAIT_MS and the engines still
 * apply the change within about a second.
 */
export async function enqueueGallery<T extends GalleryJobName>(queue: JobQueue, name: T, payload: JobPayloads[T], at = Date.now()): Promise<void> {
  const added = queue.add(name, payload, { jobId: jobId(name, payload, at), removeOnComplete: 1000, attempts: 5 }).then(() => true, (err: unknown) => {
    log.warn({ err, job: name }, 'gallery job not queued; the engines will apply the change from the database');
    return true;
  });
  if (!(await Promise.race([added, sleep(HINT_WAIT_MS, false, { ref: false })]))) {
    log.warn({ job: name }, 'Redis is slow or down; not waiting for the gallery job (the engines poll the database)');
  }
}
