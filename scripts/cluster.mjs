#!/usr/bin/env node
// `npm run cluster -- --engines 3`: the district topology on one machine, without containers. One Redis
// (REDIS_URL, or a throwaway one), one database (DATABASE_URL for PostgreSQL, else SQLite in DATA_DIR),
// one admin server (ADMIN_PORT, default 8000) and N engines on consecutive ports from ENGINE_PORT (default
// 8001), named engine-1…engine-N. The engines share the cameras through leases in Redis (see README,
// "Several engines"). Each engine's output is prefixed with its name. Ctrl-C (SIGINT/SIGTERM) stops all.
//   --engines N   engines to run (default 3)
//   --no-admin    engines only
//   --no-build    run the engine build already in ai-engine/dist (tests build once)
// If an engine dies the others carry on (that is the point); the tests kill one with SIGKILL.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildCompiled, programCommand } from './lib/commands.mjs';
import { onExit, waitFor } from './lib/process.mjs';
import { startRedis } from './lib/redis.mjs';
import { ROOT } from './setup.mjs';

const { values: opts } = parseArgs({ options: { engines: { type: 'string', default: '3' }, 'no-admin': { type: 'boolean' }, 'no-build': { type: 'boolean' } } });
const engines = Number(opts.engines);
if (!Number.isInteger(engines) || engines < 1 || engines > 64) {
  console.error('[cluster] --engines must be a whole number from 1 to 64');
  process.exit(2);
}
process.umask(0o077);
const say = (msg) => console.log(`[cluster] ${msg}`);
const children = [];
let redis = null;
const shutdown = onExit(async () => {
  await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => { c.once('exit', r); c.kill('SIGTERM'); }) : null)));
  await redis?.stop();
});

/** Runs a program with its output line-prefixed by `name`. */
function start(name, program, env) {
  const [cmd, args] = programCommand(ROOT, program);
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const [from, to] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
    let rest = '';
    from.on('data', (d) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop();
      for (const line of lines) to.write(`[${name}] ${line}\n`);
    });
  }
  children.push(child);
  return child;
}

const healthy = (url) => fetch(`${url}/health`).then((r) => r.ok, () => false);

async function main() {
  const env = { ...process.env, DATA_DIR: process.env.DATA_DIR ?? path.join(ROOT, 'data') };
  if (!env.REDIS_URL) {
    redis = await startRedis({ log: say });
    env.REDIS_URL = redis.url;
  }
  if (!opts['no-build']) { say('building the engine (tsc)'); buildCompiled(ROOT); }
  const migrate = start('migrate', 'migrate', env);
  if ((await new Promise((r) => migrate.once('exit', r))) !== 0) throw new Error('database migration failed (see above)');
  children.splice(children.indexOf(migrate), 1);

  const base = Number(env.ENGINE_PORT ?? 8001);
  const urls = [];
  for (let i = 1; i <= engines; i++) {
    const port = base + i - 1;
    const url = `http://127.0.0.1:${port}`;
    const child = start(`engine-${i}`, 'engine', { ...env, ENGINE_PORT: String(port), ENGINE_ID: env.ENGINE_ID ? `${env.ENGINE_ID}-${i}` : `engine-${i}` });
    child.once('exit', (code, signal) => say(`engine-${i} exited (${signal ?? code}); the others take over its cameras`));
    say(`engine-${i} pid=${child.pid} url=${url}`);
    urls.push(url);
  }
  if (!opts['no-admin']) {
    const port = env.ADMIN_PORT ?? '8000';
    // The panel talks to the first engine; start/stop reach the owning engine through the leases.
    const admin = start('admin', 'admin', { ...env, ENGINE_URL: env.ENGINE_URL ?? urls[0] });
    admin.once('exit', (code, signal) => { say(`admin exited (${signal ?? code}); stopping`); void shutdown(code || 1); });
    urls.push(`http://127.0.0.1:${port}`);
    say(`admin pid=${admin.pid} url=http://127.0.0.1:${port}/admin`);
  }
  await Promise.all(urls.map((u) => waitFor(() => healthy(u), 180_000, `${u} did not become healthy`)));
  say(`ready: ${engines} engine(s)`);
}

main().catch((err) => {
  console.error(`\n[cluster] FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
  void shutdown(1);
});
