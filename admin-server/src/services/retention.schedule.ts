import { Queue, Worker } from 'bullmq';
import { QUEUES, redisOptions, type Config, type JobPayloads, type Logger } from '@attendance/shared';
import type { RetentionService } from './retention.service.js';

/** When the daily retention job runs, in the school's time zone: at night, when no class is on. */
const RETENTION_CRON = '30 2 * * *';

/**
 * The daily retention job: a BullMQ job scheduler (one schedule however many admin servers run) and a
 * worker that applies the policy. Returns a function that stops both.
 */
export async function startRetentionSchedule(config: Config, retention: RetentionService, log: Logger): Promise<() => Promise<void>> {
  const connection = redisOptions(config.REDIS_URL);
  const queue = new Queue(QUEUES.maintenance, { connection, prefix: config.QUEUE_PREFIX });
  await queue.upsertJobScheduler('retention-daily', { pattern: RETENTION_CRON, tz: config.SCHOOL_TIMEZONE }, {
    name: 'maintenance.retention', data: { dryRun: false } satisfies JobPayloads['maintenance.retention'],
  });
  const worker = new Worker(QUEUES.maintenance, async (job) => {
    const report = await retention.run(job.data as JobPayloads['maintenance.retention']);
    log.info({ templates: report.templates.length, attendanceRows: report.attendanceRows, cutoff: report.attendanceCutoff }, 'retention applied');
    return { students: report.templates.length, attendanceRows: report.attendanceRows };
  }, { connection, prefix: config.QUEUE_PREFIX, concurrency: 1 });
  worker.on('failed', (job, err) => log.error({ jobId: job?.id, err }, 'retention job failed; BullMQ retries it'));
  return async () => { await worker.close(); await queue.close(); };
}
