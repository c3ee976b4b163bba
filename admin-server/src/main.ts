// Composition root of the admin server: configuration, database, Redis, the gallery queue, the
// engine client, then the Express app.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUES, assertSchemaCurrent, createLogger, installSafetyNet, loadConfig, logRedisErrors, openDatabase, redisRequestOptions } from '@attendance/shared';
import { createAdminApp, retentionFor } from './app.js';
import { startRetentionSchedule } from './services/retention.schedule.js';
import { startBackupSchedule } from './services/backup.schedule.js';
import { DomainEventBus } from './services/domain-events.js';
import { WebhookService } from './services/webhook.service.js';
import { startWebhookWorker } from './services/webhook.schedule.js';
import { AttendanceEventRelay } from './services/attendance-events.js';
import { LessonAbsenceService } from './services/lesson-absences.js';
import { EngineClient } from './services/engine-client.js';
import { createAdminServers } from './server.js';
import { loadTls } from './tls.js';

const log = createLogger('admin-server');
// A stray rejection must not take the panel down: log it and keep serving.
installSafetyNet(log);
const config = loadConfig();
const { dataSource } = await openDatabase(config, { migrate: false });
await assertSchemaCurrent(dataSource);
// Sessions, rate limits and gallery hints: a command fails within seconds while Redis is down, never hangs.
const redis = new Redis(config.REDIS_URL, redisRequestOptions());
logRedisErrors(redis, log, 'admin redis client');
// The engines read gallery jobs under QUEUE_PREFIX: the producer must use the same one.
const queue = new Queue(QUEUES.gallery, { connection: redis, prefix: config.QUEUE_PREFIX });
const engine = new EngineClient({ baseUrl: config.ENGINE_URL });

const retention = retentionFor(config, dataSource, queue);
const stopRetention = await startRetentionSchedule(config, retention, log);
const stopBackups = await startBackupSchedule(config, log);
// The domain emits; the signed webhooks subscribe (queued on the request-path client, sent by the worker).
const events = new DomainEventBus();
const webhookQueue = new Queue(QUEUES.webhooks, { connection: redis, prefix: config.QUEUE_PREFIX });
const webhooks = new WebhookService(dataSource, webhookQueue);
webhooks.subscribe(events);
const stopWebhooks = startWebhookWorker({ url: config.REDIS_URL, prefix: config.QUEUE_PREFIX }, webhooks, log);
// Late and absent marks from every writer (the engine's cameras included) reach the bus through the database's outbox.
const attendanceEvents = new AttendanceEventRelay(dataSource, events);
const stopRelay = attendanceEvents.start();
const stopAbsences = config.ABSENT_AFTER_LESSON_MINUTES === 'off' ? () => undefined
  : new LessonAbsenceService(dataSource, config.SCHOOL_TIMEZONE, config.ABSENT_AFTER_LESSON_MINUTES).start();
const app = createAdminApp({ config, dataSource, redis, queue, engine, retention, events, attendanceEvents });
const tlsFiles = loadTls(config);
const servers = createAdminServers(app, config, tlsFiles);
servers.plain.listen(config.ADMIN_PORT, config.BIND_HOST, () => log.info({ host: config.BIND_HOST, port: config.ADMIN_PORT }, 'admin-server listening'));
if (servers.secure) {
  const urls = (tlsFiles!.names.length ? tlsFiles!.names : [config.BIND_HOST]).map((n) => `https://${n.includes(':') ? `[${n}]` : n}:${config.HTTPS_PORT}/admin`);
  servers.secure.listen(config.HTTPS_PORT, config.BIND_HOST, () => log.info({ urls, certificate: tlsFiles!.certFile }, 'admin panel on HTTPS (for the school network: cameras need it)'));
} else if (!['127.0.0.1', 'localhost', '::1'].includes(config.BIND_HOST)) {
  log.warn('the panel is on the network over plain HTTP: browsers on other machines will refuse the camera (face registration, laptop camera). Set TLS_SELF_SIGNED=true, or TLS_CERT_FILE and TLS_KEY_FILE (see the README, "On the school network").');
}

async function shutdown(signal: string): Promise<void> {
  log.info({ signal }, 'admin-server stopping');
  servers.plain.close();
  servers.secure?.close();
  await stopRetention();
  await stopBackups();
  stopRelay();
  stopAbsences();
  await stopWebhooks();
  await webhookQueue.close();
  await queue.close();
  redis.disconnect();
  await dataSource.destroy();
  process.exit(0);
}
process.once('SIGINT', () => { void shutdown('SIGINT'); });
process.once('SIGTERM', () => { void shutdown('SIGTERM'); });
