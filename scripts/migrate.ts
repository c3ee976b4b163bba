// `npm run migrate`: apply pending migrations and, on a database with no users, create the first admin.
// A database that already holds data is backed up first (BACKUP_DIR, label `pre-migrate`); a database
// migrated by a newer version of this software is refused.
import {
  assertSchemaNotNewer, backupDirOf, ensureFirstAdmin, failTool, loadToolConfig, openDatabase, pruneBackups, takeBackup,
} from '@attendance/shared';

/** Pre-migration backups kept: each upgrade makes one. */
const KEEP_PRE_MIGRATE = 5;
const say = (msg: string) => console.log(`[migrate] ${msg}`);

async function main(): Promise<void> {
  const { config } = loadToolConfig();
  const { dataSource } = await openDatabase(config, { migrate: false });
  try {
    await assertSchemaNotNewer(dataSource);
    const pending = await dataSource.showMigrations();
    const applied = (await dataSource.query('SELECT COUNT(*) AS n FROM migrations').catch(() => [{ n: 0 }])) as { n: number | string }[];
    if (pending && Number(applied[0]?.n) > 0) {
      if (config.DATABASE_URL) {
        say('PostgreSQL: take a pg_dump before upgrading (README, "Upgrades"); migrating now');
      } else {
        const { dir } = await takeBackup(config, { label: 'pre-migrate' });
        pruneBackups(backupDirOf(config), 'pre-migrate', KEEP_PRE_MIGRATE);
        say(`backup taken before migrating: ${dir}`);
      }
    }
    const migrated = pending ? (await dataSource.runMigrations({ transaction: 'each' })).length : 0;
    const where = config.DATABASE_URL ? 'PostgreSQL' : config.sqliteFile;
    say(`${migrated ? `${migrated} migration(s) applied` : 'schema up to date'} (${where})`);
    const admin = await ensureFirstAdmin(dataSource, config.ADMIN_PASSWORD);
    if (admin.generatedPassword) {
      const line = '='.repeat(64);
      console.log(`\n${line}\n  First run: an admin account was created.\n    username: admin\n    password: ${admin.generatedPassword}\n` +
        `  This password is shown ONCE. Log in and change it now.\n${line}\n`);
    } else if (admin.created) {
      say('admin account created with ADMIN_PASSWORD');
    }
  } finally {
    await dataSource.destroy();
  }
}

main().catch((err) => failTool('migrate', err));
