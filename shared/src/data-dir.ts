import fs from 'node:fs';
import path from 'node:path';

/**
 * The data folder holds names, classes and attendance of minors, the face templates and (in development)
 * the key that decrypts them: only the user the servers run as may read it. Folders are 0700, files 0600.
 */
export class DataDirError extends Error {}

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/**
 * Creates `dir` private, or makes an existing one private again: every folder and file below it that
 * other users could read is fixed and named in one warning. Throws DataDirError, saying what to run,
 * when it cannot fix them (e.g. the folder belongs to another user). Also sets this process's umask to
 * 077, so that what it creates later (the database, its -wal and -shm, backups) is private from the start.
 */
export function securePrivateDataDir(dir: string, warn: (msg: string) => void = (m) => console.warn(m)): void {
  process.umask(0o077);
  fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  if (fs.statSync(dir).mode & 0o1000) {
    // A sticky folder is shared by design (/tmp): making it private would break the system.
    throw new DataDirError(`DATA_DIR ${dir} is a shared folder (sticky bit, like /tmp): give the data a folder of its own`);
  }
  const fixed: string[] = [];
  const visit = (p: string, stat: fs.Stats) => {
    const want = stat.isDirectory() ? DIR_MODE : FILE_MODE;
    if ((stat.mode & 0o077) !== 0) {
      try {
        fs.chmodSync(p, want);
      } catch (err) {
        throw new DataDirError(`${p} can be read by other users and this user (uid ${process.getuid?.()}) cannot change it ` +
          `(${(err as NodeJS.ErrnoException).code}): run as its owner, or fix it with \`chmod -R go-rwx ${dir}\``);
      }
      fixed.push(`${path.relative(dir, p) || '.'} ${(stat.mode & 0o777).toString(8)}`);
    }
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(p)) {
        const child = path.join(p, name);
        const s = fs.lstatSync(child, { throwIfNoEntry: false });
        if (s && (s.isDirectory() || s.isFile())) visit(child, s);
      }
    }
  };
  visit(dir, fs.statSync(dir));
  if (fixed.length) warn(`data folder ${dir} was readable by other users; made private (folders 0700, files 0600): ${fixed.join(', ')}`);
}
