import type { DataSource } from 'typeorm';

/** What changed in the gallery after a version (see the GalleryOutbox migration, which writes it). */
export interface GalleryChanges {
  /** The newest version read. */
  version: number;
  /** Students to re-read, each once. */
  studentIds: number[];
  /** False when changes right after `since` were already pruned: the reader must reload everything. */
  complete: boolean;
}

/** The current gallery version: one row, read every few seconds by every engine. */
export async function galleryVersion(db: DataSource): Promise<number> {
  const [row] = await db.query('SELECT version FROM gallery_state WHERE id = 1');
  return Number(row?.version ?? 0);
}

export async function galleryChangesSince(db: DataSource, since: number): Promise<GalleryChanges> {
  const rows: Array<{ version: string | number; student_id: number }> = await db.createQueryBuilder()
    .select('c.version', 'version').addSelect('c.student_id', 'student_id').from('gallery_changes', 'c')
    .where('c.version > :since', { since }).orderBy('c.version', 'ASC').getRawMany();
  if (!rows.length) return { version: since, studentIds: [], complete: true };
  return {
    version: Number(rows[rows.length - 1].version),
    studentIds: [...new Set(rows.map((r) => Number(r.student_id)))],
    complete: Number(rows[0].version) === since + 1,
  };
}
