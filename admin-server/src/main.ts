// Composition root of the admin server: configuration, database, Redis, the gallery queue, the
// engine client, then the Express app.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUES, assertSchemaCurrent, createLogger, installSafetyNet, loadConfig, openDatabase, redisRequestOptions } from '@attendance/shared';
import { createAdminApp, retentionFor } from './app.js';
import { startRetentionSchedule } from './services/retention.schedule.js';
import { startBackupSchedule } from './services/backup.schedule.js';
import { EngineClient } from './services/engine-client.js';

const log = createLogger('admin-server');
// A stray rejection must not take the panel down: log it and keep serving.
installSafetyNet(log);
const config = loadConfig();
const { dataSource } = await openDatabase(config, { migrate: false });
await assertSchemaCurrent(dataSource);
// Sessions, rate limits and gallery hints: a command fails within seconds while Redis is down, never hangs.
const redis = new Redis(config.REDIS_URL, redisRequestOptions());
// The engines read gallery jobs under QUEUE_PREFIX: the producer must use the same one.
const queue = new Queue(QUEUES.gallery, { connection: redis, prefix: config.QUEUE_PREFIX });
const engine = new EngineClient({ baseUrl: config.ENGINE_URL });

const retention = retentionFor(config, dataSource, queue);
const stopRetention = await startRetentionSchedule(config, retention, log);
const stopBackups = await startBackupSchedule(config, log);
const app = createAdminApp({ config, dataSource, redis, queue, engine, retention });
const server = app.listen(config.ADMIN_PORT, config.BIND_HOST, () => log.info({ host: config.BIND_HOST, port: config.ADMIN_PORT }, 'admin-server listening'));

async function shutdown(signal: string): Promise<void> {
  log.info({ signal }, 'admin-server stopping');
  server.close();
  await stopRetention();
  await stopBackups();
  await queue.close();
  redis.disconnect();
  await dataSource.destroy();
  process.exit(0);
}
process.once('SIGINT', () => { void shutdown('SIGINT'); });
process.once('SIGTERM', () => { void shutdown('SIGTERM'); });
