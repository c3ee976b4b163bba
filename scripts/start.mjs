#!/usr/bin/env node
// `npm start`: set up what is missing, start Redis (unless REDIS_URL is set), migrate the database,
// start the AI engine and the admin server, and print where to log in. SIGINT and SIGTERM (from a
// terminal or a supervisor) stop every child; if one server exits, everything stops.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { MALLOC_ENV, buildCompiled, programCommand } from './lib/commands.mjs';
import { startRedis } from './lib/redis.mjs';
import { onExit, waitFor } from './lib/process.mjs';
import { rotatingLog, splitLines } from './lib/log-file.mjs';
import { writeRuntimeFile } from './lib/runtime.mjs';
import { ROOT, failSetup, setup } from './setup.mjs';

/** A child that ignores SIGTERM this long is killed: a supervisor expects us gone within 10 s. */
const CHILD_STOP_MS = 8000;

// Every file the servers create (database, WAL, backups, runtime file) is private to this user.
process.umask(0o077);
/** With LOG_FILE, the servers' output also goes to that file, rotated by size (see lib/log-file.mjs). */
const logFile = process.env.LOG_FILE
  ? rotatingLog(path.resolve(process.env.LOG_FILE), { maxBytes: Number(process.env.LOG_MAX_MB ?? 20) * 1024 * 1024, keep: Number(process.env.LOG_KEEP ?? 5) })
  : null;
const say = (msg) => {
  console.log(`[start] ${msg}`);
  logFile?.write(`${JSON.stringify({ level: 30, time: Date.now(), name: 'start', msg })}\n`);
};
const children = [];
let redis = null;
let removeRuntimeFile = () => {};

const shutdown = onExit(async () => {
  await Promise.all(children.map(stopChild));
  await redis?.stop();
  removeRuntimeFile();
  logFile?.close();
});

/** SIGTERM, then SIGKILL after CHILD_STOP_MS; resolves when the child is gone. */
function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return null;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_STOP_MS);
  return gone.finally(() => clearTimeout(timer));
}

/** `toLog`: the child's output also goes to LOG_FILE (not the migration's: it may print the first admin password). */
function spawnChild(program, env, { toLog = false } = {}) {
  const [cmd, args] = programCommand(ROOT, program);
  const piped = toLog && logFile;
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: piped ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
  if (piped) {
    for (const [from, to] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
      from.on('data', (chunk) => to.write(chunk));
      from.on('data', splitLines((line) => logFile.write(line)));
    }
  }
  children.push(child);
  return child;
}

async function healthy(url) {
  try { return (await fetch(url)).ok; } catch { return false; }
}

/** Settings derived from the ones given, so that a non-default port needs only one variable. */
function deriveSettings(env) {
  env.DATA_DIR ??= path.join(ROOT, 'data');
  const host = env.BIND_HOST && env.BIND_HOST !== '0.0.0.0' ? env.BIND_HOST : '127.0.0.1';
  env.ENGINE_URL ??= `http://${host}:${env.ENGINE_PORT ?? '8001'}`;
  if (!env.CORS_ORIGINS && env.ADMIN_PORT) env.CORS_ORIGINS = `http://127.0.0.1:${env.ADMIN_PORT},http://localhost:${env.ADMIN_PORT}`;
  return host;
}

async function main() {
  await setup();
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (env[key] === '') delete env[key];
  if (logFile) env.LOG_FORMAT ??= 'json';
  const host = deriveSettings(env);
  for (const [key, value] of Object.entries(MALLOC_ENV)) env[key] ??= value;
  if (!env.REDIS_URL) {
    redis = await startRedis({ log: say });
    env.REDIS_URL = redis.url;
  }
  say('building the engine (tsc)');
  for (const warning of buildCompiled(ROOT)) say(`WARNING: ${warning}`);
  const migrate = spawnChild('migrate', env);
  const migrated = await new Promise((resolve) => migrate.once('exit', resolve));
  children.splice(children.indexOf(migrate), 1);
  if (migrated !== 0) throw new Error('database migration failed (see above)');

  const servers = [
    { name: 'ai-engine', program: 'engine', port: env.ENGINE_PORT ?? '8001' },
    { name: 'admin-server', program: 'admin', port: env.ADMIN_PORT ?? '8000' },
  ];
  for (const s of servers) {
    spawnChild(s.program, env, { toLog: true }).once('exit', (code, signal) => {
      say(`${s.name} exited (${signal ?? code}); stopping`);
      void shutdown(code || 1);
    });
  }
  // A parent that dies without a signal (npm killed, shell gone) must not leave the servers running.
  const parent = process.ppid;
  setInterval(() => { if (process.ppid !== parent) void shutdown(1); }, 1000).unref();

  for (const s of servers) await waitFor(() => healthy(`http://${host}:${s.port}/health`), 120_000, `${s.name} did not become healthy`);
  removeRuntimeFile = writeRuntimeFile(env.DATA_DIR, env);
  say('ready');
  say(`  admin panel : http://${host}:${servers[1].port}/admin`);
  say(`  AI engine   : http://${host}:${servers[0].port}/health`);
  say(`  settings for command-line tools: ${path.join(env.DATA_DIR, 'runtime.json')}`);
  say('Log in as the admin user; its password was printed once when the database was first created.');
  say('Press Ctrl-C to stop.');
}

main().catch((err) => {
  // Said before the shutdown, which ends the process.
  if (!children.length && !redis) failSetup(err);
  console.error(`\n[start] FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
  void shutdown(1);
});
