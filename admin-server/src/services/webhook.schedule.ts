import { Worker } from 'bullmq';
import { QUEUES, redisOptions, type JobPayloads, type Logger } from '@attendance/shared';
import type { WebhookService } from './webhook.service.js';

/**
 * The webhook worker: runs each `webhook.deliver` job; a failed try is retried by BullMQ with the
 * backoff the job was queued with (WebhookService.enqueue). Every `resendEveryMs` it also queues again the
 * deliveries left pending without a job (Redis was down when they were logged). Returns a function that stops both.
 */
export function startWebhookWorker(redis: { url: string; prefix: string }, webhooks: WebhookService, log: Logger, resendEveryMs = 30_000): () => Promise<void> {
  const resend = setInterval(() => { webhooks.resendPending().catch((err: unknown) => log.warn({ err }, 'pending webhook deliveries not queued again; next time')); }, resendEveryMs);
  const worker = new Worker(QUEUES.webhooks, async (job) => {
    await webhooks.deliver((job.data as JobPayloads['webhook.deliver']).deliveryId, job.attemptsMade + 1);
  }, { connection: redisOptions(redis.url), prefix: redis.prefix, concurrency: 4 });
  worker.on('failed', (job, err) => log.warn({ jobId: job?.id, attempt: job?.attemptsMade, error: err.message }, 'webhook try failed'));
  return async () => { clearInterval(resend); await worker.close(); };
}
