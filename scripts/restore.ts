// `npm run restore -- <backup folder>`: with the servers stopped, checks the backup (checksums, the
// database's integrity and schema, and that the template key decrypts its templates) and only then puts
// it in place. What it replaces is moved to DATA_DIR/before-restore-<time>/, never deleted.
import { failTool, loadToolConfig, restoreBackup, securePrivateDataDir, ToolError } from '@attendance/shared';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new ToolError('usage: npm run restore -- <backup folder> (one of BACKUP_DIR, default data/backups)');
  const { config, runtime } = loadToolConfig();
  if (runtime?.pid) throw new ToolError(`the servers are running (npm start, pid ${runtime.pid}): stop them first, then restore`);
  const adminUrl = `http://127.0.0.1:${config.ADMIN_PORT}/health`;
  for (const url of [`${config.ENGINE_URL}/health`, adminUrl]) {
    if (await fetch(url).then((r) => r.ok, () => false)) {
      throw new ToolError(`a server answers at ${url}: stop the servers first (Ctrl-C, or systemctl stop face-attendance.target), then restore`);
    }
  }
  securePrivateDataDir(config.DATA_DIR);
  const r = await restoreBackup(config, dir);
  console.log(`[restore] restored ${dir} (taken ${r.manifest.createdAt}, version ${r.manifest.softwareVersion})`);
  console.log(`[restore] key checked: ${r.keysChecked ? `${r.keysChecked} template key id(s) decrypt` : 'no face templates in the backup'}`);
  if (r.previous) console.log(`[restore] the replaced files are in ${r.previous} (delete them once you are satisfied)`);
  if (r.manifest.database.kind === 'postgres') console.log('[restore] PostgreSQL: restore the database with pg_restore (README, "Backup and restore")');
  console.log('[restore] start the servers (npm start): an older backup is migrated on start.');
}

main().catch((err) => failTool('restore', err));
