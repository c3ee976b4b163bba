import fs from 'node:fs';
import path from 'node:path';
import { decodeKey } from '../config/config.js';
import { SECRETS_FILE, type GeneratedSecrets } from '../config/secrets.js';
import { TemplateCipher } from '../crypto/template-cipher.js';
import { MIGRATIONS } from '../migrations/index.js';
import { DATABASE_COPY, MANIFEST_FILE, sha256File, type BackupManifest, type BackupSettings } from './backup.js';
import { SqliteFile } from './sqlite-file.js';

/** A restore refused before anything was replaced; the message says why and what to do. */
export class RestoreRefusedError extends Error {}

export interface RestoreSettings extends BackupSettings {
  oldTemplateKeys: ReadonlyMap<string, Buffer>;
}

/** Reads the manifest and checks the sha256 of every file it lists. */
export function verifyBackupFiles(dir: string): BackupManifest {
  const manifestFile = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(manifestFile)) throw new RestoreRefusedError(`${dir} is not a backup (no ${MANIFEST_FILE})`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as BackupManifest;
  const files = [manifest.database, manifest.secrets].flatMap((f) => ('file' in f && 'sha256' in f ? [f] : []));
  for (const f of files) {
    const file = path.join(dir, f.file);
    if (!fs.existsSync(file)) throw new RestoreRefusedError(`${f.file} is missing from the backup: nothing was replaced`);
    if (sha256File(file) !== f.sha256) throw new RestoreRefusedError(`${f.file} does not match its checksum in the manifest (damaged or altered): nothing was replaced`);
  }
  return manifest;
}

/**
 * The template keys that will be in effect after the restore: the environment's, else the restored
 * secrets file's, else the current secrets file's (through `settings`).
 */
function keysAfterRestore(settings: RestoreSettings, dir: string, manifest: BackupManifest, env: NodeJS.ProcessEnv): TemplateCipher {
  if (!env.TEMPLATE_ENCRYPTION_KEY && 'file' in manifest.secrets) {
    const restored = JSON.parse(fs.readFileSync(path.join(dir, SECRETS_FILE), 'utf8')) as GeneratedSecrets;
    const key = decodeKey(restored.TEMPLATE_ENCRYPTION_KEY);
    if (!key) throw new RestoreRefusedError(`the backup's ${SECRETS_FILE} holds no valid TEMPLATE_ENCRYPTION_KEY: nothing was replaced`);
    return new TemplateCipher(key, settings.TEMPLATE_KEY_ID, settings.oldTemplateKeys);
  }
  return new TemplateCipher(settings.templateKey, settings.TEMPLATE_KEY_ID, settings.oldTemplateKeys);
}

/** Checks the database copy: integrity, a schema this code knows, and one template per key id decrypting. */
async function verifyDatabase(file: string, cipher: TemplateCipher, manifest: BackupManifest): Promise<number> {
  const db = await SqliteFile.open(file, { readOnly: true });
  try {
    const integrity = await db.integrity();
    if (integrity !== 'ok') throw new RestoreRefusedError(`the backup's database fails PRAGMA integrity_check (${integrity}): nothing was replaced`);
    const known = new Set(MIGRATIONS.map((m) => m.name));
    const newer = (await db.hasTable('migrations')) ? (await db.all<{ name: string }>('SELECT name FROM migrations')).map((r) => r.name).filter((n) => !known.has(n)) : [];
    if (newer.length) throw new RestoreRefusedError(`the backup was taken by a newer version of this software (${newer.join(', ')}): install that version to restore it`);
    if (!(await db.hasTable('face_templates'))) return 0;
    const samples = await db.all<{ id: string; student_id: number; key_id: string; ciphertext: Buffer }>(
      'SELECT id, student_id, key_id, ciphertext FROM face_templates WHERE rowid IN (SELECT MIN(rowid) FROM face_templates GROUP BY key_id)');
    for (const t of samples) {
      if (!cipher.knows(t.key_id)) {
        throw new RestoreRefusedError(`the backup's face templates are encrypted under key id ${t.key_id}, which is not configured (TEMPLATE_KEY_ID / TEMPLATE_OLD_KEYS): nothing was replaced`);
      }
      try {
        cipher.decrypt(Buffer.from(t.ciphertext), t.student_id, t.id, t.key_id);
      } catch {
        const was = manifest.key.fingerprint;
        throw new RestoreRefusedError(`the template key does not decrypt the face templates in this backup (template ${t.id}, key id ${t.key_id}; ` +
          `the backup was taken with key fingerprint ${was}): nothing was replaced. Set TEMPLATE_ENCRYPTION_KEY to the key in use when the backup was taken.`);
      }
    }
    return samples.length;
  } finally {
    await db.close();
  }
}

export interface RestoreResult {
  manifest: BackupManifest;
  /** Where the replaced files were moved (kept, private, until you delete them). */
  previous: string | null;
  keysChecked: number;
}

/**
 * Restores a backup made by takeBackup into DATA_DIR, with the servers stopped. Every check runs before
 * anything is touched: checksums, the copy's integrity and schema, and the key (one template per key id
 * must decrypt). The replaced files are moved aside into `<DATA_DIR>/before-restore-<time>/`, not deleted.
 * PostgreSQL: only the secrets part (the database comes back with pg_restore).
 */
export async function restoreBackup(settings: RestoreSettings, dir: string, env: NodeJS.ProcessEnv = process.env): Promise<RestoreResult> {
  const manifest = verifyBackupFiles(dir);
  const cipher = keysAfterRestore(settings, dir, manifest, env);
  let keysChecked = 0;
  if (manifest.database.kind === 'sqlite') {
    if (settings.DATABASE_URL) throw new RestoreRefusedError('this is a SQLite backup, but DATABASE_URL points at PostgreSQL: unset it to restore into DATA_DIR');
    keysChecked = await verifyDatabase(path.join(dir, DATABASE_COPY), cipher, manifest);
  } else if (!settings.DATABASE_URL) {
    throw new RestoreRefusedError('this backup holds no database (it was taken on PostgreSQL): restore the database with pg_restore, with DATABASE_URL set');
  }

  const aside = path.join(settings.DATA_DIR, `before-restore-${new Date().toISOString().replace(/[-:.]/g, '')}`);
  const moveAside = (file: string) => {
    if (!fs.existsSync(file)) return;
    fs.mkdirSync(aside, { recursive: true, mode: 0o700 });
    fs.renameSync(file, path.join(aside, path.basename(file)));
  };
  if (manifest.database.kind === 'sqlite') {
    const target = settings.sqliteFile;
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    const incoming = `${target}.restoring`;
    fs.copyFileSync(path.join(dir, DATABASE_COPY), incoming);
    fs.chmodSync(incoming, 0o600);
    const fd = fs.openSync(incoming, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    // The live file and its WAL go together: a WAL left beside the restored file would be replayed into it.
    for (const suffix of ['', '-wal', '-shm', '-journal']) moveAside(target + suffix);
    fs.renameSync(incoming, target);
  }
  if ('file' in manifest.secrets) {
    const target = path.join(settings.DATA_DIR, SECRETS_FILE);
    const incoming = path.join(dir, SECRETS_FILE);
    if (!fs.existsSync(target) || sha256File(target) !== manifest.secrets.sha256) {
      moveAside(target);
      fs.copyFileSync(incoming, target);
      fs.chmodSync(target, 0o600);
    }
  }
  return { manifest, previous: fs.existsSync(aside) ? aside : null, keysChecked };
}
