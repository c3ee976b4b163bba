import { jobId, type GalleryJobName, type JobPayloads } from '@attendance/shared';

/** The part of a BullMQ Queue the admin server uses; tests pass a recorder. */
export interface JobQueue {
  add(name: string, data: unknown, opts?: { jobId?: string; removeOnComplete?: number; attempts?: number }): Promise<unknown>;
}

/** Enqueues a gallery change for every engine instance; the id makes a double click one job. */
export async function enqueueGallery<T extends GalleryJobName>(queue: JobQueue, name: T, payload: JobPayloads[T], at = Date.now()): Promise<void> {
  await queue.add(name, payload, { jobId: jobId(name, payload, at), removeOnComplete: 1000, attempts: 5 });
}
