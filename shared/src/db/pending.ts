import type { DataSource } from 'typeorm';

/** The database's schema does not match this code: older (migrate) or newer (upgrade the code). */
export class SchemaVersionError extends Error {}

/** Migrations recorded in the database that this code does not know: a newer version migrated it. */
export async function unknownMigrations(ds: DataSource): Promise<string[]> {
  const table = ds.options.migrationsTableName ?? 'migrations';
  const runner = ds.createQueryRunner();
  try {
    if (!(await runner.hasTable(table))) return [];
  } finally {
    await runner.release();
  }
  const known = new Set(ds.migrations.map((m) => m.name ?? m.constructor.name));
  const rows = (await ds.query(`SELECT name FROM ${ds.driver.escape(table)} ORDER BY timestamp`)) as { name: string }[];
  return rows.map((r) => r.name).filter((name) => !known.has(name));
}

/** Refuses a database migrated by a newer version of the code: running older code on it could corrupt the register. */
export async function assertSchemaNotNewer(ds: DataSource): Promise<void> {
  const unknown = await unknownMigrations(ds);
  if (unknown.length) {
    const latest = ds.migrations.at(-1);
    throw new SchemaVersionError(`the database was migrated by a newer version of this software (${unknown.join(', ')}); ` +
      `this version knows migrations up to ${latest?.name ?? latest?.constructor.name}. ` +
      'Install the newer version again, or restore a backup taken before the upgrade (README, "Upgrades").');
  }
}

/**
 * Servers never migrate on their own (two processes migrating one SQLite file would race):
 * `npm run migrate` does it. A server started on an old schema stops with this message instead,
 * and on a schema newer than the code, with the message above.
 */
export async function assertSchemaCurrent(ds: DataSource): Promise<void> {
  await assertSchemaNotNewer(ds);
  if (await ds.showMigrations()) {
    throw new SchemaVersionError('the database schema is out of date: run `npm run migrate` (npm start does it for you)');
  }
}
