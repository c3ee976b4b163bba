// `npm run backup [-- --dir FOLDER] [--label NAME]`: a consistent copy of the database (safe while the
// servers run), the generated secrets (or a note that the key is kept elsewhere) and a manifest with
// checksums, into BACKUP_DIR (default DATA_DIR/backups). PostgreSQL: the secrets part, plus the pg_dump line.
import { parseArgs } from 'node:util';
import { failTool, loadToolConfig, takeBackup } from '@attendance/shared';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dir: { type: 'string' }, label: { type: 'string', default: 'manual' } } });
  const { config } = loadToolConfig();
  const { dir, manifest } = await takeBackup({ ...config, BACKUP_DIR: values.dir ?? config.BACKUP_DIR }, { label: values.label });
  console.log(`[backup] ${dir}`);
  if (manifest.database.kind === 'sqlite') {
    const c = manifest.database.counts;
    console.log(`[backup] database: ${manifest.database.bytes} bytes, integrity ok, ${c.students ?? 0} students, ${c.face_templates ?? 0} templates, ${c.attendance_log ?? 0} marks`);
  } else {
    console.log('[backup] PostgreSQL: this backup holds the secrets part only. Dump the database too, e.g.');
    console.log(`[backup]   pg_dump --format=custom --file=${dir}/attendance.pgdump "$DATABASE_URL"`);
  }
  console.log(`[backup] secrets: ${'file' in manifest.secrets ? `${manifest.secrets.file} included (keep this backup as private as the data folder)` : manifest.secrets.keptElsewhere}`);
}

main().catch((err) => failTool('backup', err));
