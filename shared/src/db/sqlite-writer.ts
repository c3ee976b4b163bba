import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel.js';
import type { SqliteDriver } from 'typeorm/driver/sqlite/SqliteDriver.js';
import { SqliteQueryRunner } from 'typeorm/driver/sqlite/SqliteQueryRunner.js';
import { DatabaseBusyError } from '../errors.js';

/**
 * One writer discipline for SQLite.
 *
 * TypeORM's sqlite driver hands every caller the SAME query runner on ONE connection, so two
 * concurrent `transaction()`s interleave (the second becomes a savepoint of the first) and a plain
 * `insert()` runs inside whatever transaction happens to be open, rolling back with it. Here each
 * caller gets its own runner, and a process-wide FIFO lock lets exactly one of them use the
 * connection at a time: a transaction holds it from `BEGIN IMMEDIATE` to `COMMIT`/`ROLLBACK`, a lone
 * statement holds it for that statement. Nothing bypasses it (repositories, `save()`, AdminJS, raw
 * `query()` all create runners through the driver). PostgreSQL is untouched: it has real connections.
 */

/** A lone statement or BEGIN IMMEDIATE that still finds the file locked after busy_timeout is retried this often. */
const BUSY_ATTEMPTS = 3;
/** Waiting longer than this for the in-process lock is a bug (a transaction left open): fail instead of hanging. */
const LOCK_WAIT_MS = 30_000;

/** The transaction a piece of code runs inside: a query from the same flow joins it instead of waiting for itself. */
const scope = new AsyncLocalStorage<object>();

class ConnectionLock {
  private holder: object | null = null;
  private readonly waiters: Array<{ token: object; grant: () => void }> = [];

  get owner(): object | null { return this.holder; }

  async acquire(token: object): Promise<void> {
    if (this.holder === token) throw new Error('a transaction was started through the data source inside another: use the transaction\'s manager');
    if (!this.holder) { this.holder = token; return; }
    await new Promise<void>((resolve, reject) => {
      const waiter = { token, grant: () => { clearTimeout(timer); resolve(); } };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new DatabaseBusyError(`waited ${LOCK_WAIT_MS} ms for the database connection`));
      }, LOCK_WAIT_MS);
      this.waiters.push(waiter);
    });
  }

  release(token: object): void {
    if (this.holder !== token) return;
    const next = this.waiters.shift();
    this.holder = next?.token ?? null;
    next?.grant();
  }
}

const isBusy = (err: unknown) => /SQLITE_BUSY/.test(String((err as { driverError?: unknown })?.driverError ?? err));

class SerializedSqliteRunner extends SqliteQueryRunner {
  /** Set while this runner's transaction holds the lock. */
  private token: object | null = null;

  constructor(driver: SqliteDriver, private readonly lock: ConnectionLock) {
    super(driver);
  }

  override async query(query: string, parameters?: unknown[], structured = false): Promise<any> {
    const owner = this.lock.owner;
    if (owner && (owner === this.token || owner === scope.getStore())) return super.query(query, parameters, structured);
    const token = {};
    await this.lock.acquire(token);
    try {
      return await withBusyRetry(() => super.query(query, parameters, structured));
    } finally {
      this.lock.release(token);
    }
  }

  override async startTransaction(isolationLevel?: IsolationLevel): Promise<void> {
    if (this.transactionDepth > 0) return super.startTransaction(isolationLevel); // a savepoint inside our own transaction
    if (isolationLevel && isolationLevel !== 'SERIALIZABLE') throw new Error(`SQLite transactions here are SERIALIZABLE, not ${isolationLevel}`);
    const token = scope.getStore() ?? {};
    await this.lock.acquire(token);
    this.token = token;
    try {
      await withBusyRetry(() => super.query('BEGIN IMMEDIATE'));
    } catch (err) {
      this.unlock();
      throw err;
    }
    this.isTransactionActive = true;
    this.transactionDepth = 1;
  }

  override async commitTransaction(): Promise<void> {
    if (this.transactionDepth > 1) return super.commitTransaction();
    await this.query('COMMIT'); // on failure the transaction stays open: the caller rolls back
    this.unlock();
  }

  override async rollbackTransaction(): Promise<void> {
    if (this.transactionDepth > 1) return super.rollbackTransaction();
    try {
      if (this.isTransactionActive) await this.query('ROLLBACK');
    } finally {
      this.unlock();
    }
  }

  private unlock(): void {
    this.isTransactionActive = false;
    this.transactionDepth = 0;
    if (this.token) this.lock.release(this.token);
    this.token = null;
  }
}

async function withBusyRetry<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      // busy_timeout already waited inside SQLite; a few more rounds ride out a long writer elsewhere.
      if (!isBusy(err)) throw err;
      if (attempt >= BUSY_ATTEMPTS) throw new DatabaseBusyError('the database stayed locked by another process', { cause: err });
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 200));
    }
  }
}

/** Makes every query of this SQLite data source go through one serialized runner per caller. */
export function serializeSqliteWrites(ds: DataSource): void {
  const driver = ds.driver as SqliteDriver;
  const lock = new ConnectionLock();
  driver.createQueryRunner = () => new SerializedSqliteRunner(driver, lock);
  // Code inside a transaction callback that (wrongly) uses the data source instead of the
  // transaction's manager joins the transaction rather than deadlocking on its own lock.
  const manager = ds.manager as EntityManager & { transaction: (...args: unknown[]) => Promise<unknown> };
  const transaction = manager.transaction.bind(manager);
  manager.transaction = (...args: unknown[]) => scope.run(scope.getStore() ?? {}, () => transaction(...args));
}
