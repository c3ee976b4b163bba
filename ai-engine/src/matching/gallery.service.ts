import { In, IsNull, type DataSource } from 'typeorm';
import { FaceTemplate, Student, type Logger, type TemplateCipher } from '@attendance/shared';
import { Calibration, type OperatingPoint } from './calibration.js';
import { Gallery, type GalleryEntry, type StudentScoring } from './gallery.js';
import { decide, type MatchDecision } from './matcher.js';

export interface MatchSettings {
  /** Target false-positive identification rate per searched face (MATCH_TARGET_FPIR). */
  targetFpir: number;
  /** A fixed threshold instead of the calibrated one (MATCH_THRESHOLD; not recommended). */
  fixedThreshold?: number;
  /** Required lead of the best student over the runner-up (MATCH_MARGIN). */
  margin: number;
  /** How a student's score is formed from its templates (MATCH_STUDENT_SCORE). */
  scoring: StudentScoring;
}

/**
 * Keeps the in-memory gallery equal to the database: all active students' templates of the current
 * embedding model, decrypted. Rebuilt at start-up and patched per student when a gallery job arrives.
 */
export class GalleryService {
  readonly gallery: Gallery;
  /** The open-set threshold for the set searched, refitted on the gallery's own impostor scores as it changes. */
  readonly calibration: Calibration;
  private names = new Map<number, string>();

  constructor(
    private readonly db: DataSource,
    private readonly cipher: TemplateCipher,
    private readonly modelId: string,
    private readonly settings: MatchSettings,
    private readonly log: Logger,
  ) {
    this.gallery = new Gallery(128, 1024, settings.scoring);
    this.calibration = new Calibration(this.gallery, { targetFpir: settings.targetFpir, fixedThreshold: settings.fixedThreshold });
  }

  get size(): number { return this.gallery.size; }

  nameOf(studentId: number): string | null { return this.names.get(studentId) ?? null; }

  /** The threshold for a search over the whole school, or over a roster (fewer comparisons: a lower threshold). */
  threshold(roster?: ReadonlySet<number>): number {
    return this.calibration.threshold(this.searched(roster));
  }

  /** Gallery size, threshold and estimated FPIR: for /metrics and the admins' view. */
  operatingPoint(roster?: ReadonlySet<number>): OperatingPoint {
    return this.calibration.point(this.searched(roster));
  }

  match(vector: Float32Array, roster?: ReadonlySet<number>): MatchDecision {
    return decide(this.gallery, vector, { threshold: this.threshold(roster), margin: this.settings.margin }, roster);
  }

  private searched(roster?: ReadonlySet<number>): number {
    return roster ? Math.min(roster.size, this.gallery.studentCount) : this.gallery.studentCount;
  }

  /**
   * Loads everything. Refuses (throws) when templates exist but the key decrypts none of them: that is
   * a wrong TEMPLATE_ENCRYPTION_KEY, and running on would silently recognise no one.
   */
  async reloadAll(): Promise<void> {
    const { entries, failed, total } = await this.read();
    if (total > 0 && entries.length === 0) {
      throw new Error(`TEMPLATE_ENCRYPTION_KEY cannot decrypt any of the ${total} face templates: wrong key? The engine will not start.`);
    }
    if (failed) this.log.warn({ failed }, 'face templates that failed to decrypt were skipped (tampered or moved rows)');
    this.gallery.load(entries);
    this.log.info({ templates: entries.length, students: this.gallery.studentCount }, 'gallery loaded');
  }

  /** Re-reads one student (enrolled, templates deleted, deactivated): idempotent. */
  async reloadStudent(studentId: number): Promise<number> {
    const { entries } = await this.read(studentId);
    this.gallery.setStudent(studentId, entries.map((e) => e.vector));
    if (!entries.length) this.names.delete(studentId);
    return entries.length;
  }

  private async read(studentId?: number): Promise<{ entries: GalleryEntry[]; failed: number; total: number }> {
    const students = await this.db.getRepository(Student).find({
      select: { id: true, name: true },
      where: { active: true, deletedAt: IsNull(), ...(studentId === undefined ? {} : { id: studentId }) },
    });
    if (!students.length) return { entries: [], failed: 0, total: 0 };
    for (const s of students) this.names.set(s.id, s.name);
    const rows = await this.db.getRepository(FaceTemplate).find({
      where: { modelId: this.modelId, studentId: In(students.map((s) => s.id)) },
    });
    const entries: GalleryEntry[] = [];
    let failed = 0;
    for (const row of rows) {
      try {
        entries.push({ studentId: row.studentId, vector: this.cipher.decrypt(row.ciphertext, row.studentId, row.id, row.keyId) });
      } catch (err) {
        failed++;
        this.log.debug({ templateId: row.id, studentId: row.studentId, err }, 'template failed to decrypt');
      }
    }
    return { entries, failed, total: rows.length };
  }
}
