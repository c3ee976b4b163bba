import { Queue, Worker } from 'bullmq';
import { QUEUES, backupDirOf, pruneBackups, redisOptions, takeBackup, type Config, type JobPayloads, type Logger } from '@attendance/shared';

export const DAILY_BACKUP_LABEL = 'daily';

/**
 * The daily backup (BACKUP_CRON, school time zone) as a BullMQ job scheduler, like the retention job: one
 * schedule however many admin servers run. Keeps the newest BACKUP_KEEP daily backups in BACKUP_DIR;
 * BACKUP_KEEP=0 turns it off. Returns a function that stops it.
 */
export async function startBackupSchedule(config: Config, log: Logger): Promise<() => Promise<void>> {
  const connection = redisOptions(config.REDIS_URL);
  const queue = new Queue(QUEUES.backup, { connection, prefix: config.QUEUE_PREFIX });
  if (config.BACKUP_KEEP === 0) {
    await queue.removeJobScheduler('backup-daily');
    await queue.close();
    log.warn('daily backup is off (BACKUP_KEEP=0)');
    return async () => undefined;
  }
  await queue.upsertJobScheduler('backup-daily', { pattern: config.BACKUP_CRON, tz: config.SCHOOL_TIMEZONE }, {
    name: 'backup.daily', data: { keep: config.BACKUP_KEEP } satisfies JobPayloads['backup.daily'],
    opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 } },
  });
  const worker = new Worker(QUEUES.backup, async (job) => {
    const { keep } = job.data as JobPayloads['backup.daily'];
    const { dir, manifest } = await takeBackup(config, { label: DAILY_BACKUP_LABEL });
    const removed = pruneBackups(backupDirOf(config), DAILY_BACKUP_LABEL, keep);
    log.info({ dir, database: manifest.database.kind, removed: removed.length }, 'daily backup taken');
    return { dir, removed };
  }, { connection, prefix: config.QUEUE_PREFIX, concurrency: 1 });
  worker.on('failed', (job, err) => log.error({ jobId: job?.id, err }, 'daily backup failed; BullMQ retries it'));
  return async () => { await worker.close(); await queue.close(); };
}
