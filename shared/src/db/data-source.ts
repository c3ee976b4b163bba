import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { ENTITIES } from '../entities/index.js';
import { MIGRATIONS } from '../migrations/index.js';
import { dialect, dialectOf } from './column-types.js';
import { SnakeNamingStrategy } from './naming-strategy.js';

export interface DatabaseSettings {
  DATABASE_URL?: string;
  sqliteFile: string;
}

/** How long a writer waits for SQLite's lock before failing: engines and the admin share one file. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * SQLite (a file, WAL mode so readers never block the writer) unless DATABASE_URL names PostgreSQL.
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
  return new DataSource({
    type: 'sqlite',
    database: settings.sqliteFile,
    ...common,
    enableWAL: true,
    busyTimeout: SQLITE_BUSY_TIMEOUT_MS,
  });
}

/** Opens the database and applies pending migrations. Returns how many ran. */
export async function openDatabase(settings: DatabaseSettings, opts: { migrate?: boolean } = {}): Promise<{ dataSource: DataSource; migrated: number }> {
  const dataSource = createDataSource(settings);
  await dataSource.initialize();
  if (dataSource.options.type === 'sqlite') await dataSource.query('PRAGMA foreign_keys = ON');
  const migrated = opts.migrate === false ? 0 : (await dataSource.runMigrations({ transaction: 'each' })).length;
  return { dataSource, migrated };
}

/** A unique-constraint violation from either driver: someone else already wrote that row. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT' || /UNIQUE constraint failed/.test(String((err as Error)?.message));
}
