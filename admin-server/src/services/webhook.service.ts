/**
 * Signed webhooks: the transport that subscribes to the domain's events. Each event is logged as one
 * delivery per subscribed endpoint (the log admins read), then POSTed by a BullMQ job that retries with
 * exponential backoff until the receiver answers 2xx.
 *
 * A receiver checks `X-Attendance-Signature: sha256=<hex>`, the HMAC-SHA256 with the endpoint's secret
 * over `<X-Attendance-Timestamp>.<raw body>`: the timestamp is signed too, so an old delivery cannot be
 * replayed with a fresh one; `X-Attendance-Delivery` is the same on every retry of one event.
 */
import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { BadRequestError, WEBHOOK_EVENTS, WebhookDelivery, WebhookEndpoint, createLogger, isUniqueViolation, type WebhookEvent } from '@attendance/shared';
import type { DomainEventBus, DomainEvents } from './domain-events.js';
import type { JobQueue } from './jobs.js';

export interface WebhookSettings {
  /** Tries per delivery, the first included. */
  attempts: number;
  /** The first retry waits this long; each next one twice as long (10 s → ~1.4 h over 10 tries). */
  backoffMs: number;
  /** A receiver that takes longer has failed this try. */
  timeoutMs: number;
  /** A delivery still pending this long after it was logged may have no job (Redis was down, or lost it): `resendPending` queues it again. */
  resendAfterMs: number;
}
export const WEBHOOK_DEFAULTS: WebhookSettings = { attempts: 10, backoffMs: 10_000, timeoutMs: 10_000, resendAfterMs: 60_000 };
/** An event waits at most this long for Redis; a delivery left pending is queued again by `resendPending`. */
const ENQUEUE_WAIT_MS = 500;
/** Older deliveries are not resent: a week-old "late" helps nobody. */
const RESEND_WITHIN_MS = 7 * 86_400_000;
const log = createLogger('webhooks');

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Refuses what cannot be an endpoint: a URL that is not http(s), an event nobody emits. */
export function checkEndpoint(e: { url?: unknown; events?: unknown }): void {
  let url: URL;
  try { url = new URL(String(e.url ?? '')); } catch { throw new BadRequestError('the webhook URL is not a URL (e.g. https://sis.example.org/hooks/attendance)'); }
  if (!['http:', 'https:'].includes(url.protocol)) throw new BadRequestError('the webhook URL must start with https:// (or http://)');
  const events = String(e.events ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = events.filter((x) => !(WEBHOOK_EVENTS as readonly string[]).includes(x));
  if (!events.length || unknown.length) throw new BadRequestError(`events are a comma-separated list of ${WEBHOOK_EVENTS.join(', ')}`);
}

export const newWebhookSecret = (): string => crypto.randomBytes(32).toString('base64url');

export class WebhookService {
  private readonly settings: WebhookSettings;

  constructor(
    private readonly ds: DataSource,
    private readonly queue: JobQueue,
    settings: Partial<WebhookSettings> = {},
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.settings = { ...WEBHOOK_DEFAULTS, ...settings };
  }

  /** Subscribes to every event a webhook can carry. */
  subscribe(bus: DomainEventBus): void {
    for (const event of WEBHOOK_EVENTS) bus.on(event, async (data, eventId) => { await this.dispatch(event, data, eventId); });
  }

  /**
   * Logs one delivery per active endpoint that wants this event, and queues each. The same `eventId` again
   * (an outbox relayed twice) logs nothing new: (endpoint, event id) is unique.
   */
  async dispatch<K extends WebhookEvent>(event: K, data: DomainEvents[K], eventId: string = crypto.randomUUID()): Promise<number[]> {
    const endpoints = (await this.ds.getRepository(WebhookEndpoint).findBy({ active: true }))
      .filter((e) => e.events.split(',').map((s) => s.trim()).includes(event));
    const ids: number[] = [];
    for (const endpoint of endpoints) {
      const payload = JSON.stringify({ id: eventId, event, occurredAt: this.clock().toISOString(), data });
      let id: number;
      try {
        id = (await this.ds.getRepository(WebhookDelivery).insert({ endpointId: endpoint.id, event, eventId, payload, status: 'pending', attempts: 0 })).identifiers[0].id as number;
      } catch (err) {
        if (isUniqueViolation(err)) continue;
        throw err;
      }
      ids.push(id);
      await this.enqueue(id);
    }
    return ids;
  }

  /**
   * Queues a delivery; with Redis slow or down the row stays pending and the request goes on (false).
   * The job id is the delivery's: queueing it again while its job exists (waiting, retrying) adds nothing.
   */
  async enqueue(deliveryId: number): Promise<boolean> {
    const added = this.queue.add('webhook.deliver', { deliveryId }, {
      jobId: `webhook.deliver__${deliveryId}`, attempts: this.settings.attempts, removeOnComplete: 1000,
      backoff: { type: 'exponential', delay: this.settings.backoffMs },
    } as never).then(() => true, (err: unknown) => { log.warn({ err, deliveryId }, 'webhook not queued; it stays pending'); return false; });
    const queued = await Promise.race([added, sleep(ENQUEUE_WAIT_MS, null, { ref: false })]);
    if (queued === null) log.warn({ deliveryId }, 'Redis is slow; not waiting for the webhook job');
    return queued === true;
  }

  /**
   * Queues again the deliveries still pending `resendAfterMs` after they were logged: their job may never have
   * been queued (Redis was down) or was lost with Redis's data. Idempotent: the job id is the delivery's, so a
   * job still waiting or retrying is not added twice.
   * Stops at the first that cannot be queued (Redis still down). Returns how many were queued.
   */
  async resendPending(): Promise<number> {
    const now = this.clock().getTime();
    // Dates compared here, not in SQL (SQLite keeps them as text); pending rows are few.
    const stale = (await this.ds.getRepository(WebhookDelivery).find({ select: { id: true, createdAt: true }, where: { status: 'pending' }, order: { id: 'ASC' } }))
      .filter((d) => d.createdAt.getTime() <= now - this.settings.resendAfterMs && d.createdAt.getTime() > now - RESEND_WITHIN_MS);
    let n = 0;
    for (const { id } of stale) {
      if (!(await this.enqueue(id))) break;
      n++;
    }
    if (n) log.info({ queued: n }, 'pending webhook deliveries queued again');
    return n;
  }

  /** One try (the job's body): 2xx marks it delivered, anything else throws so BullMQ retries. */
  async deliver(deliveryId: number, attempt: number): Promise<void> {
    const repo = this.ds.getRepository(WebhookDelivery);
    const d = await repo.findOne({ where: { id: deliveryId }, relations: { endpoint: true } });
    if (!d || d.status === 'delivered') return;
    if (!d.endpoint?.active) { await repo.update(d.id, { status: 'failed', lastError: 'endpoint deactivated' }); return; }
    const timestamp = String(Math.floor(this.clock().getTime() / 1000));
    let code: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(d.endpoint.url, {
        method: 'POST', body: d.payload, redirect: 'manual', signal: AbortSignal.timeout(this.settings.timeoutMs),
        headers: {
          'content-type': 'application/json', 'user-agent': 'face-attendance-webhooks',
          'x-attendance-event': d.event, 'x-attendance-delivery': d.eventId, 'x-attendance-timestamp': timestamp,
          'x-attendance-signature': signWebhook(d.endpoint.secret, timestamp, d.payload),
        },
      });
      code = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) error = `answered ${res.status}`;
    } catch (err) {
      error = err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 500) : 'request failed';
    }
    const last = attempt >= this.settings.attempts;
    await repo.update(d.id, {
      attempts: attempt, lastStatusCode: code, lastError: error,
      status: error ? (last ? 'failed' : 'pending') : 'delivered', deliveredAt: error ? null : this.clock(),
    });
    if (error) throw new Error(`webhook delivery ${d.id} to endpoint ${d.endpoint.id}: ${error}`);
  }
}
