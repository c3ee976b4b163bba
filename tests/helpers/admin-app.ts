import './admin-env.js';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUES, loadConfig, openDatabase, type Config } from '@attendance/shared';
import { createAdminApp } from '../../admin-server/src/app.js';
import { EngineClient } from '../../admin-server/src/services/engine-client.js';
import { createAdminServers } from '../../admin-server/src/server.js';
import { loadTls } from '../../admin-server/src/tls.js';
import { freePort } from './spawn.js';

export interface AdminUnderTest {
  url: string;
  config: Config;
  ds: Awaited<ReturnType<typeof openDatabase>>['dataSource'];
  redis: Redis;
  queue: Queue;
  /** Stops the HTTP server and starts a new app on the same port, database and Redis (a restart). */
  restart: () => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * The admin app in this process, on a fresh SQLite file, the test Redis and a free port; `env` adds settings
 * (e.g. TLS_SELF_SIGNED and HTTPS_PORT for the HTTPS panel, which then also listens on HTTPS_PORT).
 */
export async function startAdminApp(name: string, opts: { engineUrl?: string; clock?: () => Date; env?: NodeJS.ProcessEnv } = {}): Promise<AdminUnderTest> {
  const tmp = process.env.TEST_TMP_DIR;
  if (!tmp || !process.env.REDIS_URL) throw new Error('run through `npm test -- admin` (needs TEST_TMP_DIR and REDIS_URL)');
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', SQLITE_FILE: path.join(tmp, `${name}-${process.pid}.sqlite`), SCHOOL_TIMEZONE: 'UTC', ENGINE_URL: opts.engineUrl ?? `http://127.0.0.1:${await freePort()}`, ...opts.env });
  const tlsFiles = loadTls(config);
  const { dataSource: ds } = await openDatabase(config);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUES.gallery, { connection: redis, prefix: `test-${name}-${process.pid}` });
  const engine = new EngineClient({ baseUrl: config.ENGINE_URL, timeoutMs: 3000 });
  let servers: ReturnType<typeof createAdminServers> | undefined;
  const sockets = new Set<Socket>();
  // A port from freePort, not 0: the kernel could give the panel a port already promised to an engine.
  let port = await freePort();
  const listen = async () => {
    const app = createAdminApp({ config, dataSource: ds, redis, queue, engine, clock: opts.clock, redisPrefix: `test-${name}-${process.pid}:` });
    servers = createAdminServers(app, config, tlsFiles);
    // Upgraded sockets (the /engine WebSocket pass-through) are not closed by closeAllConnections(): track them all.
    for (const server of [servers.plain, servers.secure]) server?.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    await new Promise<void>((r) => servers!.plain.listen(port, '127.0.0.1', r));
    port = (servers.plain.address() as AddressInfo).port;
    if (servers.secure) await new Promise<void>((r) => servers!.secure!.listen(config.HTTPS_PORT, '127.0.0.1', r));
  };
  const closeOne = (server: import('node:http').Server | null | undefined) => new Promise<void>((r) => {
    if (!server) return r();
    server.closeAllConnections();
    for (const socket of sockets) socket.destroy();
    server.close(() => r());
  });
  const close = async () => { await closeOne(servers?.plain); await closeOne(servers?.secure); };
  await listen();
  return {
    url: `http://127.0.0.1:${port}`, config, ds, redis, queue,
    // The pause lets clients notice their kept-alive sockets closed before they reuse them.
    restart: async () => { await close(); await listen(); await new Promise((r) => setTimeout(r, 100)); },
    stop: async () => { await close(); await queue.close(); redis.disconnect(); await ds.destroy(); },
  };
}
