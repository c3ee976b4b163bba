import { In, IsNull, type DataSource } from 'typeorm';
import { FaceTemplate, Student, galleryChangesSince, galleryVersion, type Logger, type TemplateCipher } from '@attendance/shared';
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
 * embedding model, decrypted. Rebuilt at start-up, then kept in step with the database's gallery
 * outbox (`sync`): every committed change names its student, and this engine re-reads them.
 * Changes to the in-memory gallery run one at a time, in order.
 */
export class GalleryService {
  readonly gallery: Gallery;
  /** The open-set threshold for the set searched, refitted on the gallery's own impostor scores as it changes. */
  readonly calibration: Calibration;
  private names = new Map<number, string>();
  /** The outbox version the in-memory gallery reflects. */
  private version = 0;
  private mutations: Promise<unknown> = Promise.resolve();
  private queuedSync: Promise<void> | null = null;

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
  get syncedVersion(): number { return this.version; }

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
  reloadAll(): Promise<void> {
    return this.exclusive(() => this.loadEverything());
  }

  /**
   * Applies every gallery change committed since the version held (a cheap version read when there
   * is none). Called by the engine's poll and by gallery jobs; calls while one waits share it.
   */
  sync(): Promise<void> {
    this.queuedSync ??= this.exclusive(async () => {
      this.queuedSync = null;
      const changes = await galleryChangesSince(this.db, this.version);
      if (!changes.complete) {
        this.log.warn({ since: this.version }, 'gallery changes were pruned before this engine read them: reloading everything');
        return this.loadEverything();
      }
      for (const studentId of changes.studentIds) await this.readStudent(studentId);
      if (changes.studentIds.length) this.log.info({ students: changes.studentIds.length, version: changes.version }, 'gallery changes applied');
      this.version = changes.version;
    });
    return this.queuedSync;
  }

  private async loadEverything(): Promise<void> {
    // Read the version first: a change committed during the load is applied again by the next sync, never missed.
    const version = await galleryVersion(this.db);
    const { entries, failed, total } = await this.read();
    if (total > 0 && entries.length === 0) {
      throw new Error(`TEMPLATE_ENCRYPTION_KEY cannot decrypt any of the ${total} face templates: wrong key? The engine will not start.`);
    }
    if (failed) this.log.warn({ failed }, 'face templates that failed to decrypt were skipped (tampered or moved rows)');
    this.gallery.load(entries);
    this.version = version;
    this.log.info({ templates: entries.length, students: this.gallery.studentCount, version }, 'gallery loaded');
  }

  /** Re-reads one student (enrolled, templates deleted, deactivated): idempotent. */
  reloadStudent(studentId: number): Promise<number> {
    return this.exclusive(() => this.readStudent(studentId));
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.mutations.then(fn, fn);
    this.mutations = run.catch(() => undefined);
    return run;
  }

  private async readStudent(studentId: number): Promise<number> {
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
