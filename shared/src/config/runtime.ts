import fs from 'node:fs';
import path from 'node:path';
import { DataDirError, securePrivateDataDir } from '../data-dir.js';
import { RestoreRefusedError } from '../backup/restore.js';
import { SchemaVersionError } from '../db/pending.js';
import { ConfigError } from '../errors.js';
import { REPO_ROOT } from '../paths.js';
import { loadConfig, type Config } from './config.js';

/** Written by `npm start` (scripts/lib/runtime.mjs) into DATA_DIR; never holds secrets. */
export const RUNTIME_FILE = 'runtime.json';

export interface RuntimeInfo {
  file: string;
  /** The `npm start` process; absent when the file was written for system services (static settings). */
  pid?: number;
  startedAt?: string;
  settings: Record<string, string>;
}

/** Settings of a command-line tool: Redis only when the tool says it needs it. */
export type ToolConfig = Readonly<Omit<Config, 'REDIS_URL'> & { REDIS_URL?: string }>;

/** A tool failure worth one line, not a stack trace. */
export class ToolError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** The running installation's settings in `dataDir`, or null when none runs (no file, or its process is gone). */
export function readRuntimeFile(dataDir: string): RuntimeInfo | null {
  const file = path.join(dataDir, RUNTIME_FILE);
  if (!fs.existsSync(file)) return null;
  const info = JSON.parse(fs.readFileSync(file, 'utf8')) as Omit<RuntimeInfo, 'file'>;
  if (info.pid !== undefined && !alive(info.pid)) return null; // left by a start that was killed
  return { ...info, file };
}

/**
 * The configuration of a command-line tool run beside the servers: the environment first, then the
 * running installation's runtime file (its private Redis, ports and engine URL), then the defaults.
 * Also makes sure the data folder is private before the tool writes anything there (securePrivateDataDir).
 */
export function loadToolConfig(opts: { needsRedis?: boolean; env?: NodeJS.ProcessEnv } = {}): { config: ToolConfig; runtime: RuntimeInfo | null } {
  const env = Object.fromEntries(Object.entries(opts.env ?? process.env).filter(([, v]) => v !== undefined && v !== ''));
  const dataDir = env.DATA_DIR ?? path.join(REPO_ROOT, 'data');
  const runtime = readRuntimeFile(dataDir);
  const merged: NodeJS.ProcessEnv = { ...runtime?.settings, ...env };
  const redisUrl = merged.REDIS_URL;
  if (opts.needsRedis && !redisUrl) {
    throw new ConfigError(`REDIS_URL is not set and no running installation was found in ${dataDir} ` +
      `(start it with \`npm start\`, or set REDIS_URL and DATA_DIR)`, ['REDIS_URL']);
  }
  // Tools that do not use Redis validate everything else; the placeholder never reaches them.
  const config = loadConfig({ ...merged, REDIS_URL: redisUrl ?? 'redis://unused.invalid' });
  securePrivateDataDir(config.DATA_DIR);
  return { config: Object.freeze({ ...config, REDIS_URL: redisUrl }), runtime };
}

/** Prints a tool's failure as one line (a stack trace only for the unexpected) and exits non-zero. */
export function failTool(name: string, err: unknown): never {
  const known = err instanceof ConfigError || err instanceof ToolError || err instanceof DataDirError || err instanceof SchemaVersionError
    || err instanceof RestoreRefusedError;
  if (known) console.error(`[${name}] ${err.message}`);
  else console.error(`[${name}] failed:`, err);
  process.exit(1);
}
