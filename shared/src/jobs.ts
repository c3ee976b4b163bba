/**
 * BullMQ queues and the payload of every job: the typed contract between the admin server
 * (producer) and the engines (workers).
 */
export const QUEUES = {
  /** Every engine instance keeps its gallery in sync from this queue. */
  gallery: 'gallery',
  /** Scheduled housekeeping (retention). */
  maintenance: 'maintenance',
  /** The daily backup (admin server). */
  backup: 'backup',
  /** Signed webhook deliveries to school systems (admin server). */
  webhooks: 'webhooks',
} as const;

export interface JobPayloads {
  /** Templates were added for a student: load them. */
  'gallery.student-enrolled': { studentId: number };
  /** A student's templates were removed (erasure, re-enrolment): drop them. */
  'gallery.templates-deleted': { studentId: number };
  /** A student left or was deactivated: stop matching them. */
  'gallery.student-deactivated': { studentId: number };
  /** Reload everything (after a key rotation or a bulk import). */
  'gallery.reload': Record<string, never>;
  'maintenance.retention': { dryRun: boolean };
  /** Back up the database and secrets into BACKUP_DIR, keeping the newest `keep` daily backups. */
  'backup.daily': { keep: number };
  /** POST one logged webhook delivery; BullMQ retries it with backoff until it is answered 2xx. */
  'webhook.deliver': { deliveryId: number };
}

export type JobName = keyof JobPayloads;
export type GalleryJobName = Extract<JobName, `gallery.${string}`>;

/**
 * A deterministic id makes enqueueing idempotent: the same change enqueued twice is one job.
 * The `at` part (e.g. the templates' version or a timestamp bucket) lets a later change through.
 */
export function jobId<T extends JobName>(name: T, payload: JobPayloads[T], at: string | number): string {
  const subject = 'studentId' in payload ? `student-${payload.studentId}` : 'all';
  return `${name}:${subject}:${at}`.replace(/:/g, '__');
}
