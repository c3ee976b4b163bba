// Starts a real AI engine process on a fresh SQLite file, with users of every role.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { programCommand } from '../../scripts/lib/commands.mjs';
import { freePort, run, type Running } from './spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const PASSWORD = 'correct horse battery staple';

export interface TestEngine {
  url: string;
  env: NodeJS.ProcessEnv;
  proc: Running;
  token(username: 'admin' | 'staff' | 'teacher'): Promise<string>;
  stop(): Promise<void>;
}

/** A data directory with a migrated SQLite database and one user per role (password PASSWORD). */
export async function prepareDatabase(extraEnv: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
  const dataDir = fs.mkdtempSync(path.join(process.env.TEST_TMP_DIR ?? os.tmpdir(), 'engine-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env, DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    QUEUE_PREFIX: `t${process.pid}`, ADMIN_PASSWORD: PASSWORD, ...extraEnv,
  };
  delete env.DATABASE_URL;
  const migrate = run(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'scripts/migrate.ts')], { cwd: ROOT, env });
  if ((await migrate.exited) !== 0) throw new Error(`migrate failed:\n${migrate.output()}`);
  const seed = run(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'tests/helpers/seed-users.ts')], { cwd: ROOT, env });
  if ((await seed.exited) !== 0) throw new Error(`seeding users failed:\n${seed.output()}`);
  return env;
}

export async function startEngine(extraEnv: NodeJS.ProcessEnv = {}): Promise<TestEngine> {
  const port = await freePort();
  return launchEngine(await prepareDatabase({ ENGINE_PORT: String(port), ...extraEnv }));
}

/**
 * Starts an engine on an already prepared environment (e.g. again, after a change to its database or keys).
 * `compiled`: run the production build (`npm run build` first) with plain node, as `npm start` does.
 */
export async function launchEngine(env: NodeJS.ProcessEnv, opts: { compiled?: boolean; healthTimeoutMs?: number } = {}): Promise<TestEngine> {
  const proc = opts.compiled
    ? run(...programCommand(ROOT, 'engine'), { cwd: ROOT, env })
    : run(path.join(ROOT, 'node_modules/.bin/tsx'), [path.join(ROOT, 'ai-engine/src/main.ts')], { cwd: ROOT, env });
  const url = `http://127.0.0.1:${env.ENGINE_PORT}`;
  // An engine that never became healthy is not left running behind the failed test (SIGTERM: tsx passes it on to the engine).
  await waitHealthy(url, proc, opts.healthTimeoutMs).catch(async (err: unknown) => { await proc.stop('SIGTERM'); throw err; });
  const tokens = new Map<string, string>();
  return {
    url, env, proc,
    token: async (username) => {
      if (!tokens.has(username)) {
        const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
        if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
        tokens.set(username, ((await res.json()) as { access_token: string }).access_token);
      }
      return tokens.get(username)!;
    },
    stop: async () => { await proc.stop('SIGTERM'); },
  };
}

/** Polls GET /health until it answers 200; fails early with the output if the process exits. */
export async function waitHealthy(url: string, proc: Running, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`exited (${proc.child.exitCode}) before healthy:\n${proc.output()}`);
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`not healthy within ${timeoutMs} ms:\n${proc.output()}`);
}
