/**
 * Column types that differ between SQLite and PostgreSQL. Entities are decorated at import time,
 * so the dialect is read from DATABASE_URL then; the config loader validates the same variable.
 */
export type Dialect = 'sqlite' | 'postgres';

export function dialectOf(databaseUrl: string | undefined): Dialect {
  return databaseUrl && /^postgres(ql)?:\/\//.test(databaseUrl) ? 'postgres' : 'sqlite';
}

export const dialect: Dialect = dialectOf(process.env.DATABASE_URL);

/** A point in time: SQLite has no timestamp type of its own, PostgreSQL should keep the zone. */
export const timestampType = dialect === 'postgres' ? 'timestamptz' : 'datetime';
/** Raw bytes (encrypted templates). */
export const bytesType = dialect === 'postgres' ? 'bytea' : 'blob';
/** A floating-point number. */
export const realType = dialect === 'postgres' ? 'double precision' : 'real';
