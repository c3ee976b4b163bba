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
import { BadRequestError, WEBHOOK_EVENTS, WebhookDelivery, WebhookEndpoint, createLogger, type WebhookEvent } from '@attendance/shared';
import type { DomainEventBus, DomainEvents } from './domain-events.js';
import type { JobQueue } from './jobs.js';

export interface WebhookSettings {
  /** Tries per delivery, the first included. */
  attempts: number;
  /** The first retry waits this long; each next one twice as long (10 s → ~1.4 h over 10 tries). */
  backoffMs: number;
  /** A receiver that takes longer has failed this try. */
  timeoutMs: number;
}
export const WEBHOOK_DEFAULTS: WebhookSettings = { attempts: 10, backoffMs: 10_000, timeoutMs: 10_000 };
/** An event waits at most this long for Redis; a delivery left pending is sent by `resend`. */
const ENQUEUE_WAIT_MS = 500;
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
  constructor(
    private readonly ds: DataSource,
    private readonly queue: JobQueue,
    private readonly settings: WebhookSettings = WEBHOOK_DEFAULTS,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Subscribes to every event a webhook can carry. */
  subscribe(bus: DomainEventBus): void {
    for (const event of WEBHOOK_EVENTS) bus.on(event, async (data) => { await this.dispatch(event, data); });
  }

  /** Logs one delivery per active endpoint that wants this event, and queues each. */
  async dispatch<K extends WebhookEvent>(event: K, data: DomainEvents[K]): Promise<number[]> {
    const endpoints = (await this.ds.getRepository(WebhookEndpoint).findBy({ active: true }))
      .filter((e) => e.events.split(',').map((s) => s.trim()).includes(event));
    const ids: number[] = [];
    for (const endpoint of endpoints) {
      const eventId = crypto.randomUUID();
      const payload = JSON.stringify({ id: eventId, event, occurredAt: this.clock().toISOString(), data });
      const row = await this.ds.getRepository(WebhookDelivery).save({ endpointId: endpoint.id, event, eventId, payload, status: 'pending', attempts: 0 });
      ids.push(row.id);
      await this.enqueue(row.id);
    }
    return ids;
  }

  /** Queues a delivery; with Redis slow or down the row stays pending and the request goes on. */
  async enqueue(deliveryId: number): Promise<void> {
    const added = this.queue.add('webhook.deliver', { deliveryId }, {
      jobId: `webhook.deliver__${deliveryId}`, attempts: this.settings.attempts, removeOnComplete: 1000,
      backoff: { type: 'exponential', delay: this.settings.backoffMs },
    } as never).then(() => true, (err: unknown) => { log.warn({ err, deliveryId }, 'webhook not queued; it stays pending'); return true; });
    if (!(await Promise.race([added, sleep(ENQUEUE_WAIT_MS, false, { ref: false })]))) log.warn({ deliveryId }, 'Redis is slow; not waiting for the webhook job');
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
