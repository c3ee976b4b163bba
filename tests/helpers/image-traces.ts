// The privacy check: nothing image-like is left by the servers, on disk or in the database.
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';

const JPEG = Buffer.from([0xff, 0xd8, 0xff]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Files under `dataDir` (but the SQLite files themselves) containing a JPEG or PNG signature, and
 * database cells (blobs, or text that is base64) that start with one. Encrypted templates are random
 * bytes, which is why cells are checked at offset 0 only: a real image starts with its signature.
 */
export async function imageTraces(dataDir: string, db: DataSource): Promise<string[]> {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!/\.sqlite(-wal|-shm)?$/.test(p)) {
        const bytes = fs.readFileSync(p);
        if (bytes.includes(JPEG) || bytes.includes(PNG)) found.push(p);
      }
    }
  };
  walk(dataDir);
  const tables: Array<{ name: string }> = await db.query("SELECT name FROM sqlite_master WHERE type = 'table'");
  for (const { name } of tables) {
    for (const row of (await db.query(`SELECT * FROM "${name}"`)) as Array<Record<string, unknown>>) {
      for (const [col, v] of Object.entries(row)) {
        const bytes = Buffer.isBuffer(v) ? v : typeof v === 'string' ? Buffer.from(v, v.length > 64 && /^[A-Za-z0-9+/=]+$/.test(v) ? 'base64' : 'utf8') : null;
        if (bytes && (bytes.subarray(0, 3).equals(JPEG) || bytes.subarray(0, 8).equals(PNG))) found.push(`${name}.${col}`);
      }
    }
  }
  return found;
}
