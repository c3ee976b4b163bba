import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { QUEUES, jobId, redisOptions, type GalleryJobName, type JobPayloads, type Logger } from '@attendance/shared';
import type { GalleryService } from '../matching/gallery.service.js';

/**
 * Gallery sync over BullMQ. A gallery job is processed once (by any engine, retried on failure) and
 * its completion is broadcast through QueueEvents, so every engine instance re-reads that student.
 * Applying a job is a re-read from the database: idempotent, so applying it twice is harmless.
 */
export class GalleryJobs {
  private readonly queue: Queue;
  private worker?: Worker;
  private events?: QueueEvents;

  constructor(private readonly redisUrl: string, private readonly prefix: string, private readonly log: Logger) {
    this.queue = new Queue(QUEUES.gallery, { connection: redisOptions(redisUrl), prefix });
  }

  /** The same change enqueued twice (same `version`) is one job. */
  async enqueue<T extends GalleryJobName>(name: T, payload: JobPayloads[T], version: string | number = Date.now()): Promise<void> {
    await this.queue.add(name, payload, {
      jobId: jobId(name, payload, version),
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 24 * 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  }

  /** Starts consuming and listening. Resolves when both are connected. */
  async start(gallery: GalleryService): Promise<void> {
    const apply = async (name: string, data: JobPayloads[GalleryJobName]) => {
      if (name === 'gallery.reload') await gallery.reloadAll();
      else if ('studentId' in data) await gallery.reloadStudent(data.studentId);
      else throw new Error(`unknown gallery job ${name}`);
    };
    const appliedHere = new Set<string>();
    this.worker = new Worker(QUEUES.gallery, async (job: Job<JobPayloads[GalleryJobName]>) => {
      await apply(job.name, job.data);
      appliedHere.add(job.id!);
      return { name: job.name, data: job.data };
    }, { connection: redisOptions(this.redisUrl), prefix: this.prefix, concurrency: 1 });
    this.worker.on('failed', (job, err) => this.log.warn({ jobId: job?.id, err }, 'gallery job failed; it will be retried'));
    this.events = new QueueEvents(QUEUES.gallery, { connection: redisOptions(this.redisUrl), prefix: this.prefix });
    this.events.on('completed', ({ jobId: id, returnvalue }) => {
      if (appliedHere.delete(id)) return;
      const r = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as { name: string; data: JobPayloads[GalleryJobName] };
      apply(r.name, r.data).catch((err) => this.log.error({ jobId: id, err }, 'applying a gallery change from another engine failed'));
    });
    await Promise.all([this.worker.waitUntilReady(), this.events.waitUntilReady()]);
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.events?.close();
    await this.queue.close();
  }

  async ping(): Promise<boolean> {
    return !!(await this.queue.getVersion());
  }
}
