import sqlite3 from 'sqlite3';

/**
 * A plain connection to a SQLite file, apart from TypeORM's: a backup reads the live file through its own
 * connection (a read transaction, so the servers keep writing), and a restore inspects a copy read-only.
 */
export class SqliteFile {
  private constructor(private readonly db: sqlite3.Database) {}

  static open(file: string, opts: { readOnly?: boolean } = {}): Promise<SqliteFile> {
    const mode = opts.readOnly ? sqlite3.OPEN_READONLY : sqlite3.OPEN_READWRITE; // never creates a file
    return new Promise((resolve, reject) => {
      const db = new sqlite3.Database(file, mode, (err) => (err ? reject(new Error(`cannot open ${file}: ${err.message}`)) : resolve(new SqliteFile(db))));
      db.configure('busyTimeout', 10_000);
    });
  }

  all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return new Promise((resolve, reject) => this.db.all<T>(sql, params, (err, rows) => (err ? reject(err) : resolve(rows))));
  }

  run(sql: string, params: unknown[] = []): Promise<void> {
    return new Promise((resolve, reject) => this.db.run(sql, params, (err) => (err ? reject(err) : resolve())));
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
  }

  /** `PRAGMA integrity_check`: 'ok', or the problems SQLite found. */
  async integrity(): Promise<string> {
    const rows = await this.all<{ integrity_check: string }>('PRAGMA integrity_check');
    return rows.map((r) => r.integrity_check).join('; ');
  }

  async hasTable(name: string): Promise<boolean> {
    return (await this.all("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name])).length > 0;
  }
}
