// `npm run restore -- <backup folder>`: with the servers stopped, checks the backup (checksums, the
// database's integrity and schema, and that the template key decrypts its templates) and only then puts
// it in place. What it replaces is moved to DATA_DIR/before-restore-<time>/, never deleted.
import fs from 'node:fs';
import { failTool, loadToolConfig, restoreBackup, ToolError } from '@attendance/shared';

/** Processes that have `file` open (Linux /proc; those of other users are not visible, and not needed: the servers run as us). */
function processesHolding(file: string): string[] {
  if (!fs.existsSync('/proc/self/fd') || !fs.existsSync(file)) return [];
  const target = fs.realpathSync(file);
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n) && Number(n) !== process.pid)) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // not ours to look at, or already gone
    }
    const pointsAtTarget = (fd: string) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === target;
      } catch {
        return false; // closed meanwhile
      }
    };
    if (fds.some(pointsAtTarget)) found.push(`pid ${pid}`);
  }
  return found;
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new ToolError('usage: npm run restore -- <backup folder> (one of BACKUP_DIR, default data/backups)');
  const { config, runtime } = loadToolConfig();
  if (runtime?.pid) throw new ToolError(`the servers are running (npm start, pid ${runtime.pid}): stop them first, then restore`);
  const urls = new Set([`${config.ENGINE_URL}/health`, `http://127.0.0.1:${config.ENGINE_PORT}/health`, `http://127.0.0.1:${config.ADMIN_PORT}/health`]);
  for (const url of urls) {
    if (await fetch(url).then((r) => r.ok, () => false)) {
      throw new ToolError(`a server answers at ${url}: stop the servers first (Ctrl-C, or systemctl stop face-attendance.target), then restore`);
    }
  }
  const holders = config.DATABASE_URL ? [] : processesHolding(config.sqliteFile);
  if (holders.length) {
    throw new ToolError(`the database is open in another process (${holders.join('; ')}): stop the servers first, then restore`);
  }
  const r = await restoreBackup(config, dir);
  console.log(`[restore] restored ${dir} (taken ${r.manifest.createdAt}, version ${r.manifest.softwareVersion})`);
  console.log(`[restore] key checked: ${r.keysChecked ? `${r.keysChecked} template key id(s) decrypt` : 'no face templates in the backup'}`);
  if (r.previous) console.log(`[restore] the replaced files are in ${r.previous} (delete them once you are satisfied)`);
  if (r.manifest.database.kind === 'postgres') console.log('[restore] PostgreSQL: restore the database with pg_restore (README, "Backup and restore")');
  console.log('[restore] start the servers (npm start): an older backup is migrated on start.');
}

main().catch((err) => failTool('restore', err));
