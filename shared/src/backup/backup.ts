import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SECRETS_FILE } from '../config/secrets.js';
import { REPO_ROOT } from '../paths.js';
import { SqliteFile } from './sqlite-file.js';

/** What a backup needs from the configuration (servers and tools both have it). */
export interface BackupSettings {
  DATA_DIR: string;
  DATABASE_URL?: string;
  sqliteFile: string;
  BACKUP_DIR?: string;
  TEMPLATE_KEY_ID: string;
  templateKey: Buffer;
}

export const MANIFEST_FILE = 'manifest.json';
export const DATABASE_COPY = 'attendance.sqlite';

export interface BackupManifest {
  format: 1;
  label: string;
  createdAt: string;
  softwareVersion: string;
  database:
    | { kind: 'sqlite'; file: string; sha256: string; bytes: number; migrations: string[]; counts: Record<string, number> }
    | { kind: 'postgres'; note: string };
  secrets: { file: string; sha256: string } | { keptElsewhere: string };
  /** The template key in use when the backup was taken: its id and a fingerprint (never the key). */
  key: { id: string; fingerprint: string };
}

export function backupDirOf(settings: BackupSettings): string {
  return settings.BACKUP_DIR ?? path.join(settings.DATA_DIR, 'backups');
}

export function sha256File(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Names a key without revealing it: restore compares fingerprints to explain a wrong key. */
export function keyFingerprint(key: Buffer): string {
  return crypto.createHash('sha256').update('face-attendance-template-key:').update(key).digest('hex').slice(0, 16);
}

function softwareVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** `2026-11-29T16:23:01.123Z` → `20261129T162301123Z`: sorts by time and is a safe folder name. */
function stamp(d: Date): string {
  return d.toISOString().replace(/[-:.]/g, '');
}

/**
 * A consistent copy of the SQLite database taken while the servers run: `VACUUM INTO` reads one snapshot
 * (a read transaction: every commit before it is in the copy, writers are not blocked) into a new file.
 */
async function copySqlite(sqliteFile: string, dest: string): Promise<{ migrations: string[]; counts: Record<string, number> }> {
  const live = await SqliteFile.open(sqliteFile);
  try {
    await live.run('VACUUM INTO ?', [dest]);
  } finally {
    await live.close();
  }
  const copy = await SqliteFile.open(dest, { readOnly: true });
  try {
    const integrity = await copy.integrity();
    if (integrity !== 'ok') throw new Error(`the copy of ${sqliteFile} failed PRAGMA integrity_check: ${integrity}`);
    const migrations = (await copy.hasTable('migrations'))
      ? (await copy.all<{ name: string }>('SELECT name FROM migrations ORDER BY timestamp')).map((r) => r.name) : [];
    const counts: Record<string, number> = {};
    for (const table of ['students', 'face_templates', 'attendance_log']) {
      if (await copy.hasTable(table)) counts[table] = (await copy.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))[0].n;
    }
    return { migrations, counts };
  } finally {
    await copy.close();
  }
}

/**
 * Takes a backup into `<BACKUP_DIR>/<label>-<time>/`: the database copy (SQLite), the generated secrets
 * file when the key lives in DATA_DIR (else the manifest says it is kept elsewhere), and a manifest with
 * the sha256 of every file. The folder appears complete or not at all (written aside, then renamed).
 */
export async function takeBackup(settings: BackupSettings, opts: { label?: string; now?: Date } = {}): Promise<{ dir: string; manifest: BackupManifest }> {
  const label = opts.label ?? 'manual';
  const root = backupDirOf(settings);
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const name = `${label}-${stamp(opts.now ?? new Date())}`;
  const dir = path.join(root, name);
  const partial = path.join(root, `.${name}.partial`);
  fs.mkdirSync(partial, { mode: 0o700 });
  try {
    let database: BackupManifest['database'];
    if (settings.DATABASE_URL) {
      database = { kind: 'postgres', note: 'PostgreSQL is backed up with pg_dump (README, "Backup and restore"); this backup holds the secrets part only' };
    } else {
      const dest = path.join(partial, DATABASE_COPY);
      const { migrations, counts } = await copySqlite(settings.sqliteFile, dest);
      fs.chmodSync(dest, 0o600);
      database = { kind: 'sqlite', file: DATABASE_COPY, sha256: sha256File(dest), bytes: fs.statSync(dest).size, migrations, counts };
    }
    let secrets: BackupManifest['secrets'];
    const secretsFile = path.join(settings.DATA_DIR, SECRETS_FILE);
    if (fs.existsSync(secretsFile)) {
      fs.copyFileSync(secretsFile, path.join(partial, SECRETS_FILE));
      fs.chmodSync(path.join(partial, SECRETS_FILE), 0o600);
      secrets = { file: SECRETS_FILE, sha256: sha256File(path.join(partial, SECRETS_FILE)) };
    } else {
      secrets = { keptElsewhere: 'TEMPLATE_ENCRYPTION_KEY and JWT_SECRET come from the environment and are NOT in this backup: keep them safe separately; without the key the face templates cannot be read' };
    }
    const manifest: BackupManifest = {
      format: 1, label, createdAt: (opts.now ?? new Date()).toISOString(), softwareVersion: softwareVersion(), database, secrets,
      key: { id: settings.TEMPLATE_KEY_ID, fingerprint: keyFingerprint(settings.templateKey) },
    };
    fs.writeFileSync(path.join(partial, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
    fs.renameSync(partial, dir);
    return { dir, manifest };
  } finally {
    fs.rmSync(partial, { recursive: true, force: true });
  }
}

/** Complete backups with this label, oldest first. */
export function listBackups(root: string, label: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).filter((n) => n.startsWith(`${label}-`) && fs.existsSync(path.join(root, n, MANIFEST_FILE))).sort()
    .map((n) => path.join(root, n));
}

/** Keeps the newest `keep` backups with this label and removes the rest; returns what was removed. */
export function pruneBackups(root: string, label: string, keep: number): string[] {
  const all = listBackups(root, label);
  const old = all.slice(0, Math.max(0, all.length - keep));
  for (const dir of old) fs.rmSync(dir, { recursive: true, force: true });
  return old;
}
