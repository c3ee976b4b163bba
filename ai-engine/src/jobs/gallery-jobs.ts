import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUES, jobId, logRedisErrors, redisOptions, redisRequestOptions, type GalleryJobName, type JobPayloads, type Logger } from '@attendance/shared';
import type { GalleryService } from '../matching/gallery.service.js';

/** The safety net: every engine reads the database's gallery version this often, Redis or not. */
export const GALLERY_POLL_MS = 1000;
/** /health waits at most this long for Redis to answer PING. */
const PING_TIMEOUT_MS = 1000;
/** Shutting down waits at most this long for the queue's connections to close cleanly. */
const CLOSE_WAIT_MS = 3000;

/**
 * Keeps this engine's gallery in step with the database, and tells the other engines at once.
 *
 * The truth is the gallery outbox in the database (written by triggers in the same transaction as
 * the change): `gallery.sync()` applies what changed since the version this engine holds. It runs
 * every GALLERY_POLL_MS, when Redis comes back, and whenever a gallery job arrives: a job is only a
 * hint to sync now (processed once by any engine, its completion broadcast to all through
 * QueueEvents). So a lost job or a Redis outage delays a change by at most one poll, and sending a
 * job never makes a request wait for Redis.
 */
export class GalleryJobs {
  private readonly queue: Queue;
  private readonly probe: Redis;
  private worker?: Worker;
  private events?: QueueEvents;
  private timer?: NodeJS.Timeout;
  private redisLost = false;
  private syncFailing = false;

  constructor(private readonly redisUrl: string, private readonly prefix: string, private readonly log: Logger) {
    // Producer and health probe share one request-path client: a command fails within seconds while Redis is down.
    this.probe = new Redis(redisUrl, redisRequestOptions());
    logRedisErrors(this.probe, log, 'engine redis client');
    this.queue = new Queue(QUEUES.gallery, { connection: this.probe, prefix });
    logRedisErrors(this.queue, log, 'gallery queue');
  }

  /**
   * Asks every engine to sync now. Never awaited by a request: the change is already committed with
   * its outbox row, so a job that cannot be queued only means the engines see it on their next poll.
   */
  notify<T extends GalleryJobName>(name: T, payload: JobPayloads[T], version: string | number = Date.now()): void {
    this.queue.add(name, payload, {
      jobId: jobId(name, payload, version),
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 24 * 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    }).catch((err: unknown) => this.log.warn({ err, job: name }, 'gallery job not queued; the engines will apply the change from the database'));
  }

  /** Starts polling the database at once; the Redis side connects (and reconnects) in the background. */
  start(gallery: GalleryService): void {
    const apply = (name: string) => (name === 'gallery.reload' ? gallery.reloadAll() : gallery.sync());
    const appliedHere = new Set<string>();
    this.worker = new Worker(QUEUES.gallery, async (job: Job<JobPayloads[GalleryJobName]>) => {
      await apply(job.name);
      appliedHere.add(job.id!);
      return { name: job.name };
    }, { connection: redisOptions(this.redisUrl), prefix: this.prefix, concurrency: 1 });
    this.worker.on('failed', (job, err) => this.log.warn({ jobId: job?.id, err }, 'gallery job failed; it will be retried'));
    logRedisErrors(this.worker, this.log, 'gallery worker');
    this.events = new QueueEvents(QUEUES.gallery, { connection: redisOptions(this.redisUrl), prefix: this.prefix });
    logRedisErrors(this.events, this.log, 'gallery events');
    this.events.on('completed', ({ jobId: id, returnvalue }) => {
      if (appliedHere.delete(id)) return;
      const r = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as { name?: string } | null;
      this.syncing(apply(r?.name ?? 'gallery.sync'));
    });
    // Reconcile when Redis comes back: jobs sent while it was down never arrived.
    this.probe.on('close', () => { this.redisLost = true; });
    this.probe.on('ready', () => {
      if (!this.redisLost) return;
      this.redisLost = false;
      this.log.info('redis is back; reconciling the gallery');
      this.syncing(gallery.sync());
    });
    this.timer = setInterval(() => this.syncing(gallery.sync()), GALLERY_POLL_MS);
    this.timer.unref();
  }

  /** Whether Redis answers now (for /health): never waits longer than PING_TIMEOUT_MS. */
  async redisUp(): Promise<boolean> {
    if (this.probe.status !== 'ready') return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS); });
    const pong = this.probe.ping().then((r) => r === 'PONG', () => false);
    try { return await Promise.race([pong, timeout]); } finally { clearTimeout(timer); }
  }

  /** Stops polling and consuming; with Redis down it does not wait for it longer than CLOSE_WAIT_MS. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const closed = Promise.allSettled([this.worker?.close(), this.events?.close(), this.queue.close()]);
    await Promise.race([closed, new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref())]);
    this.probe.disconnect();
  }

  /** A failing sync is logged once when it starts failing and once when it recovers, not every poll. */
  private syncing(p: Promise<unknown>): void {
    p.then(() => {
      if (this.syncFailing) this.log.info('gallery sync works again');
      this.syncFailing = false;
    }, (err: unknown) => {
      if (!this.syncFailing) this.log.error({ err }, 'gallery sync failed; retrying every poll');
      this.syncFailing = true;
    });
  }
}
