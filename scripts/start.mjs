#!/usr/bin/env node
// `npm start`: set up what is missing, start Redis (unless REDIS_URL is set), migrate the database,
// start the AI engine and the admin server, and print where to log in.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { startRedis } from './lib/redis.mjs';
import { onExit, waitFor } from './lib/process.mjs';
import { ROOT, failSetup, setup } from './setup.mjs';

const say = (msg) => console.log(`[start] ${msg}`);
const children = [];
let redis = null;

const shutdown = onExit(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  await redis?.stop();
});

async function healthy(url) {
  try { return (await fetch(url)).ok; } catch { return false; }
}

async function main() {
  await setup();
  const env = { ...process.env };
  if (!env.REDIS_URL) {
    redis = await startRedis({ log: say });
    env.REDIS_URL = redis.url;
  }
  const tsx = path.join(ROOT, 'node_modules/.bin/tsx');
  const migrate = spawnSync(tsx, [path.join(ROOT, 'scripts/migrate.ts')], { cwd: ROOT, env, stdio: 'inherit' });
  if (migrate.status !== 0) throw new Error('database migration failed (see above)');

  const servers = [
    { name: 'ai-engine', main: 'ai-engine/src/main.ts', port: env.ENGINE_PORT ?? '8001' },
    { name: 'admin-server', main: 'admin-server/src/main.ts', port: env.ADMIN_PORT ?? '8000' },
  ];
  for (const s of servers) {
    const child = spawn(tsx, [path.join(ROOT, s.main)], { cwd: ROOT, env, stdio: 'inherit' });
    child.once('exit', (code, signal) => {
      say(`${s.name} exited (${signal ?? code}); stopping`);
      shutdown(code ?? 1);
    });
    children.push(child);
  }
  const host = env.BIND_HOST && env.BIND_HOST !== '0.0.0.0' ? env.BIND_HOST : '127.0.0.1';
  for (const s of servers) await waitFor(() => healthy(`http://${host}:${s.port}/health`), 120_000, `${s.name} did not become healthy`);
  say('ready');
  say(`  admin panel : http://${host}:${servers[1].port}/admin`);
  say(`  AI engine   : http://${host}:${servers[0].port}/health`);
  say('Log in as the admin user; its password was printed once when the database was first created.');
  say('Press Ctrl-C to stop.');
}

main().catch(async (err) => {
  await shutdown(1).catch(() => undefined);
  failSetup(err);
});
