// A throwaway PostgreSQL cluster for tests: initdb in a temp directory, a free loopback port,
// trust auth on loopback only, removed on stop. PostgreSQL refuses to run as root, so as root
// the server runs as the `postgres` system user (created by Debian's package).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './process.mjs';

export function findPostgresBin() {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const versions = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin') : null;
}

/** @returns {Promise<{ url: string, stop: () => Promise<void> }>} */
export async function startPostgres({ log = () => {} } = {}) {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fa-pg-'));
  const dataDir = path.join(dir, 'data');
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const run = (cmd, args) => {
    const full = path.join(bin, cmd);
    const r = asRoot ? spawnSync('runuser', ['-u', 'postgres', '--', full, ...args], { encoding: 'utf8' }) : spawnSync(full, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
    return r.stdout;
  };
  const port = await freePort();
  run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  run('pg_ctl', ['-D', dataDir, '-l', path.join(dir, 'server.log'), '-w', '-t', '30', 'start', '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`]);
  run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'attendance']);
  log(`postgres on 127.0.0.1:${port} (${dataDir})`);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/attendance`,
    stop: async () => {
      try { run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']); } finally { fs.rmSync(dir, { recursive: true, force: true }); }
    },
  };
}
