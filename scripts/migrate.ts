// `npm run migrate`: apply pending migrations and, on a database with no users, create the first admin.
import { ensureFirstAdmin, loadConfig, openDatabase } from '@attendance/shared';

const config = loadConfig();
const { dataSource, migrated } = await openDatabase(config);
try {
  const where = config.DATABASE_URL ? 'PostgreSQL' : config.sqliteFile;
  console.log(`[migrate] ${migrated ? `${migrated} migration(s) applied` : 'schema up to date'} (${where})`);
  const admin = await ensureFirstAdmin(dataSource, config.ADMIN_PASSWORD);
  if (admin.generatedPassword) {
    const line = '='.repeat(64);
    console.log(`\n${line}\n  First run: an admin account was created.\n    username: admin\n    password: ${admin.generatedPassword}\n` +
      `  This password is shown ONCE. Log in and change it now.\n${line}\n`);
  } else if (admin.created) {
    console.log('[migrate] admin account created with ADMIN_PASSWORD');
  }
} finally {
  await dataSource.destroy();
}
