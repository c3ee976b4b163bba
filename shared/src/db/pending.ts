import type { DataSource } from 'typeorm';

/**
 * Servers never migrate on their own (two processes migrating one SQLite file would race):
 * `npm run migrate` does it. A server started on an old schema stops with this message instead.
 */
export async function assertSchemaCurrent(ds: DataSource): Promise<void> {
  if (await ds.showMigrations()) {
    throw new Error('the database schema is out of date: run `npm run migrate` (npm start does it for you)');
  }
}
