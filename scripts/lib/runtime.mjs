// The runtime file: `npm start` writes the settings it chose (its private Redis URL, the ports, the engine
// URL) into `<DATA_DIR>/runtime.json`, so command-line tools in a second shell find the running installation
// by themselves. shared/src/config/runtime.ts reads it. Secrets are never written here.
import fs from 'node:fs';
import path from 'node:path';

export const RUNTIME_FILE = 'runtime.json';

/** The settings a tool needs to reach the running servers and their database. */
export const RUNTIME_KEYS = ['REDIS_URL', 'QUEUE_PREFIX', 'ENGINE_URL', 'PUBLIC_ENGINE_URL', 'ENGINE_PORT', 'ADMIN_PORT', 'BIND_HOST',
  'DATABASE_URL', 'SQLITE_FILE', 'MODELS_DIR', 'SCHOOL_TIMEZONE', 'TEMPLATE_KEY_ID', 'NODE_ENV', 'BACKUP_DIR'];

/** Writes the file (0600, atomically) and returns a function that removes it if it is still ours. */
export function writeRuntimeFile(dataDir, env, pid = process.pid) {
  const file = path.join(dataDir, RUNTIME_FILE);
  const settings = Object.fromEntries(RUNTIME_KEYS.filter((k) => env[k]).map((k) => [k, env[k]]));
  const tmp = `${file}.${pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ pid, startedAt: new Date().toISOString(), settings }, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
  return () => {
    try {
      if (JSON.parse(fs.readFileSync(file, 'utf8')).pid === pid) fs.rmSync(file);
    } catch { /* already gone or replaced by a newer start: nothing of ours to remove */ }
  };
}
