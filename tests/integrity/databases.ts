// Test databases for the integrity tests: a fresh SQLite file or a fresh PostgreSQL database,
// written by child processes (entities pick their column types per process) and checked here
// with plain SQL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { run, type Running } from '../helpers/spawn.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const WORKER = path.join(import.meta.dirname, 'mark-worker.ts');

export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  /** Environment for a process using this database (DATABASE_URL, or SQLITE_FILE and DATA_DIR). */
  env: NodeJS.ProcessEnv;
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  drop(): Promise<void>;
}

let counter = 0;

export async function sqliteDatabase(): Promise<TestDatabase> {
  const dir = fs.mkdtempSync(path.join(process.env.TEST_TMP_DIR ?? os.tmpdir(), 'integrity-'));
  const file = path.join(dir, 'attendance.sqlite');
  const env: NodeJS.ProcessEnv = { ...process.env, SQLITE_FILE: file, DATA_DIR: dir };
  delete env.DATABASE_URL;
  return {
    kind: 'sqlite', env,
    query: async (sql) => withDataSource(new DataSource({ type: 'sqlite', database: file }), (ds) => ds.query(sql)),
    drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export async function postgresDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `integrity_${process.pid}_${++counter}`;
  await withDataSource(new DataSource({ type: 'postgres', url: serverUrl }), (ds) => ds.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url.toString() };
  return {
    kind: 'postgres', env,
    query: async (sql) => withDataSource(new DataSource({ type: 'postgres', url: url.toString() }), (ds) => ds.query(sql)),
    drop: async () => { await withDataSource(new DataSource({ type: 'postgres', url: serverUrl }), (ds) => ds.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)); },
  };
}

async function withDataSource<T>(ds: DataSource, fn: (ds: DataSource) => Promise<T>): Promise<T> {
  await ds.initialize();
  try { return await fn(ds); } finally { await ds.destroy(); }
}

/** The mark worker as a real Node process (no tsx wrapper in between, so SIGKILL hits the writer itself). */
export function worker(db: TestDatabase, args: string[], tag: string): Running {
  const { NODE_TEST_CONTEXT: _ctx, ...env } = db.env;
  return run(process.execPath, ['--import', 'tsx', WORKER, ...args], { cwd: ROOT, env: { ...env, TAG: tag, LOG_LEVEL: 'warn' } });
}

/** Lines of one kind (`ACK`, `TXOK`, …) a worker printed, as their first argument. */
export function printed(proc: Running, kind: string): string[] {
  return [...proc.output().matchAll(new RegExp(`^${kind} (\\S+)`, 'gm'))].map((m) => m[1]);
}

export async function seed(db: TestDatabase, count: number): Promise<{ first: number; last: number }> {
  const p = worker(db, ['seed', String(count)], 'seed');
  const code = await p.exited;
  const m = p.output().match(/^IDS (\d+) (\d+)/m);
  if (code !== 0 || !m) throw new Error(`seeding failed (${code}):\n${p.output()}`);
  return { first: Number(m[1]), last: Number(m[2]) };
}

/** Students (by id) with a mark in attendance_log. */
export async function markedStudents(db: TestDatabase): Promise<Set<string>> {
  const rows = await db.query<{ student_id: number }>('SELECT student_id FROM attendance_log');
  return new Set(rows.map((r) => String(r.student_id)));
}
