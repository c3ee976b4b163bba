import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { ENTITIES } from '../entities/index.js';
import { MIGRATIONS } from '../migrations/index.js';
import { dialect, dialectOf } from './column-types.js';
import { SnakeNamingStrategy } from './naming-strategy.js';
import { serializeSqliteWrites } from './sqlite-writer.js';

export * from './gallery-outbox.js';

export interface DatabaseSettings {
  DATABASE_URL?: string;
  sqliteFile: string;
}

/** How long a writer waits for SQLite's lock before failing: engines and the admin share one file. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * SQLite (a file, WAL mode so readers never block the writer; one serialized writer per process,
 * see sqlite-writer.ts) unless DATABASE_URL names PostgreSQL.
 * Migrations only, never `synchronize`.
 */
export function createDataSource(settings: DatabaseSettings): DataSource {
  if (dialectOf(settings.DATABASE_URL) !== dialect) {
    // Entities picked their column types from DATABASE_URL at import time.
    throw new Error('DATABASE_URL changed after the entities were loaded; set it before starting the process');
  }
  const common = { entities: ENTITIES, migrations: MIGRATIONS, namingStrategy: new SnakeNamingStrategy(), synchronize: false, logging: false } as const;
  if (dialect === 'postgres') {
    return new DataSource({ type: 'postgres', url: settings.DATABASE_URL, ...common, extra: { max: 10 } });
  }
  fs.mkdirSync(path.dirname(settings.sqliteFile), { recursive: true });
  const ds = new DataSource({
    type: 'sqlite',
    database: settings.sqliteFile,
    ...common,
    enableWAL: true,
    busyTimeout: SQLITE_BUSY_TIMEOUT_MS,
  });
  serializeSqliteWrites(ds);
  return ds;
}

/** Opens the database and applies pending migrations. Returns how many ran. */
export async function openDatabase(settings: DatabaseSettings, opts: { migrate?: boolean } = {}): Promise<{ dataSource: DataSource; migrated: number }> {
  const dataSource = createDataSource(settings);
  await dataSource.initialize();
  if (dataSource.options.type === 'sqlite') {
    await dataSource.query('PRAGMA foreign_keys = ON');
    // An acknowledged commit survives a power cut too, not only a crash (WAL's default may be NORMAL).
    await dataSource.query('PRAGMA synchronous = FULL');
  }
  const migrated = opts.migrate === false ? 0 : (await dataSource.runMigrations({ transaction: 'each' })).length;
  return { dataSource, migrated };
}
