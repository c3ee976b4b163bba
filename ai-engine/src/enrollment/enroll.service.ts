import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  BadRequestError, ConflictError, Consent, ConsentRequiredError, FaceTemplate, ForbiddenError, NotFoundError, Student, UnprocessableError,
  constraintViolation, parseId, writeAudit, type ConsentMethod, type TemplateCipher, type TemplatePose,
} from '@attendance/shared';
import { auditActor, type Principal } from '../auth/auth.service.js';
import type { GalleryJobs } from '../jobs/gallery-jobs.js';
import type { GalleryService } from '../matching/gallery.service.js';
import { meanEmbedding, sameStudent } from '../matching/matcher.js';
import { subjectFace } from '../recognition/subject.js';
import { readImageHeader, toBytes } from '../vision/image.js';
import { cosine, ImageDecodeError, type FaceAnalysis, type VisionPipeline } from '../vision/index.js';

/**
 * The duplicate check searches the whole school at this share of the target FPIR: a refused enrolment costs an
 * admin's override, and on LFW the target itself refused 1 of 235 distinct people (a tenth of it: none), while a
 * child enrolled twice still scores far above it (3 photos of one person against 3 others of them).
 */
const DUPLICATE_FPIR_SHARE = 0.1;

export interface ConsentInput { givenBy: string; relationship: string; method: ConsentMethod; policyVersion: string; givenAt?: Date }

/** An existing student (who must already have consent), or a new one with the consent given for them. */
export type EnrollTarget =
  | { studentId: number }
  | { name: string; rollNumber: string; classGroupId?: number | null; consent?: ConsentInput };

export interface EnrollRequest {
  target: EnrollTarget;
  photos: Array<Buffer | string>;
  /** Store even if the face matches another student (admins only). */
  force?: boolean;
  pose?: TemplatePose;
  actor: Principal;
  ip?: string;
}

export interface EnrollResult {
  student_id: number;
  created: boolean;
  templates: number;
  rejected: Array<{ index: number; reasons: string[] }>;
}


/**
 * Photos (or liveness frames) → quality-gated, duplicate-checked, encrypted templates of one student.
 * No image is stored. The local gallery is patched at once; other engines follow the gallery job.
 */
export class EnrollmentService {
  constructor(
    private readonly db: DataSource,
    private readonly vision: VisionPipeline,
    private readonly gallery: GalleryService,
    private readonly cipher: TemplateCipher,
    private readonly jobs: GalleryJobs,
  ) {}

  async enrollPhotos(req: EnrollRequest): Promise<EnrollResult> {
    validIds(req.target);
    await this.assertConsent(req.target); // before any face is processed
    const accepted: Array<{ index: number; face: FaceAnalysis }> = [];
    const rejected: EnrollResult['rejected'] = [];
    for (const [index, photo] of req.photos.entries()) {
      const verdict = await this.checkPhoto(photo);
      if ('reasons' in verdict) rejected.push({ index, reasons: verdict.reasons });
      else accepted.push({ index, face: verdict.face });
    }
    for (const r of this.inconsistent(accepted)) {
      rejected.push({ index: r.index, reasons: ['different_person'] });
      accepted.splice(accepted.indexOf(r), 1);
    }
    if (!accepted.length) throw new UnprocessableError('no usable face in any photo', { rejected });
    const stored = await this.store(req, accepted.map((a) => ({ embedding: a.face.embedding!, quality: a.face.score })));
    return { ...stored, rejected: rejected.sort((a, b) => a.index - b.index) };
  }

  /** Stores ready embeddings (from a liveness session) with the same duplicate check and bookkeeping. */
  async store(req: Omit<EnrollRequest, 'photos'>, embeddings: Array<{ embedding: Float32Array; quality: number | null; pose?: TemplatePose }>): Promise<EnrollResult> {
    validIds(req.target);
    await this.assertConsent(req.target);
    const existingId = 'studentId' in req.target ? req.target.studentId : undefined;
    const overridden = this.checkIdentity(embeddings.map((e) => e.embedding), existingId, req);
    const { studentId, created } = await this.db.transaction(async (tx) => {
      let student: Student | null;
      if ('studentId' in req.target) {
        student = await tx.getRepository(Student).findOneBy({ id: req.target.studentId });
        if (!student) throw new NotFoundError(`student ${req.target.studentId} does not exist`);
        if (!student.active) throw new ConflictError(`student ${student.id} is inactive`);
        if (!student.consentAt) throw new ConsentRequiredError(student.id); // withdrawn meanwhile
      } else {
        const consent = req.target.consent!;
        const givenAt = consent.givenAt ?? new Date();
        try {
          student = await tx.getRepository(Student).save(tx.getRepository(Student).create({
            name: req.target.name, rollNumber: req.target.rollNumber, classGroupId: req.target.classGroupId ?? null, active: true, consentAt: givenAt,
          }));
        } catch (err) {
          const broken = constraintViolation(err);
          if (broken === 'unique') throw new ConflictError(`roll number ${req.target.rollNumber} is taken`);
          if (broken === 'foreign_key') throw new BadRequestError(`class group ${req.target.classGroupId} does not exist`);
          throw err;
        }
        await tx.getRepository(Consent).insert({
          studentId: student.id, givenBy: consent.givenBy, relationship: consent.relationship, method: consent.method,
          policyVersion: consent.policyVersion, givenAt, recordedById: req.actor.kind === 'user' ? req.actor.userId : null,
        });
      }
      for (const e of embeddings) {
        const id = crypto.randomUUID();
        await tx.getRepository(FaceTemplate).insert({
          id, studentId: student.id, pose: e.pose ?? req.pose ?? 'upload', modelId: this.vision.modelId, quality: e.quality,
          keyId: this.cipher.keyId, ciphertext: this.cipher.encrypt(e.embedding, student.id, id),
        });
      }
      if (!student.enrolledAt) await tx.getRepository(Student).update(student.id, { enrolledAt: new Date() });
      await writeAudit(tx, { action: 'enrollment.templates_added', actor: auditActor(req.actor), entity: 'student', entityId: student.id,
        details: { templates: embeddings.length, poses: embeddings.map((e) => e.pose ?? req.pose ?? 'upload'), forced: !!req.force, overridden }, ip: req.ip });
      return { studentId: student.id, created: !('studentId' in req.target) };
    });
    // Committed (with its gallery outbox rows): patch this engine now, hint the others; never wait on Redis.
    await this.gallery.reloadStudent(studentId);
    this.jobs.notify('gallery.student-enrolled', { studentId });
    return { student_id: studentId, created, templates: embeddings.length, rejected: [] };
  }

  /** No biometric processing without consent: an existing student's must be on record, a new one's given. */
  private async assertConsent(target: EnrollTarget): Promise<void> {
    if (!('studentId' in target)) {
      if (!target.consent) throw new ConsentRequiredError();
      return;
    }
    const student = await this.db.getRepository(Student).findOneBy({ id: target.studentId });
    if (!student) throw new NotFoundError(`student ${target.studentId} does not exist`);
    if (!student.consentAt) throw new ConsentRequiredError(student.id);
  }

  private async checkPhoto(photo: Buffer | string): Promise<{ face: FaceAnalysis } | { reasons: string[] }> {
    let faces: FaceAnalysis[];
    let size: { width: number; height: number };
    try {
      size = readImageHeader(toBytes(photo));
      faces = await this.vision.analyzeBytes(photo, { embed: true, antispoof: false });
    } catch (err) {
      if (err instanceof ImageDecodeError) return { reasons: [err.reason === 'too_large' ? 'image_too_large' : 'not_an_image'] };
      throw err;
    }
    // The photo's subject is its most central face (others are bystanders); two equally likely subjects: refused.
    const { face, ambiguous } = subjectFace(faces, size.width, size.height);
    if (!face) return { reasons: ['no_face'] };
    if (ambiguous) return { reasons: ['multiple_faces'] };
    // No anti-spoofing gate here: an uploaded photo IS a photo. Liveness and cameras check it live.
    return face.quality.ok ? { face } : { reasons: face.quality.reasons };
  }

  /** Photos whose face disagrees with the others' (someone else's photo in the set). */
  private inconsistent(accepted: Array<{ index: number; face: FaceAnalysis }>) {
    if (accepted.length < 3) return [];
    return accepted.filter((a) => {
      const others = accepted.filter((b) => b !== a).map((b) => cosine(a.face.embedding!, b.face.embedding!));
      return !sameStudent(Math.max(...others));
    });
  }

  /**
   * The duplicate rule: the face (several embeddings are fused, as a track is) named as ANOTHER student than
   * `studentId` at the whole-school threshold, or null. Liveness asks it after the first pose, so a face that
   * is already someone else's is refused before the turns.
   */
  duplicateOf(vectors: Float32Array[], studentId?: number): { student_id: number; name: string | null; similarity: number } | null {
    const other = this.gallery.match(meanEmbedding(vectors)).candidates.find((c) => c.studentId !== studentId);
    const { calibration } = this.gallery;
    if (!other || other.similarity < calibration.threshold(undefined, calibration.targetFpir * DUPLICATE_FPIR_SHARE)) return null;
    return { student_id: other.studentId, name: this.gallery.nameOf(other.studentId), similarity: round(other.similarity) };
  }

  /**
   * The identity checks, with the open-set rule: 409 when the photos (fused, as a track is) are named as
   * ANOTHER student at the whole-school threshold, or, for an enrolled student, do not match that student's
   * own templates (one child must not be marked for another). An admin may force past both: the overridden
   * checks are returned for the audit record.
   */
  private checkIdentity(vectors: Float32Array[], studentId: number | undefined, req: Omit<EnrollRequest, 'photos'>): string[] {
    const fused = meanEmbedding(vectors);
    const problems: Array<{ reason: string; message: string; details: Record<string, unknown> }> = [];
    const other = this.duplicateOf(vectors, studentId);
    if (other) {
      problems.push({ reason: 'matches_another_student', message: `this face already matches student ${other.student_id}`, details: { ...other } });
    }
    if (studentId !== undefined) {
      let own: number | null = null;
      this.gallery.gallery.scan(fused, new Set([studentId]), (_, score) => { own = score; });
      if (own !== null && !sameStudent(own)) {
        problems.push({ reason: 'does_not_match_student', message: `these photos do not match the face already enrolled for student ${studentId}`,
          details: { student_id: studentId, similarity: round(own) } });
      }
    }
    if (!problems.length) return [];
    if (req.force) {
      if (req.actor.kind === 'user' && req.actor.role === 'admin') return problems.map((p) => p.reason);
      throw new ForbiddenError('only an admin may force an enrolment that matches another student or not the student');
    }
    const [first] = problems;
    throw new ConflictError(first.message, { reason: first.reason, ...first.details });
  }
}

const round = (x: number) => Math.round(x * 10000) / 10000;

/** Ids reach SQL only as integers in range (PostgreSQL answers a 500 to larger ones). */
function validIds(target: EnrollTarget): void {
  if ('studentId' in target) parseId(target.studentId, 'student_id');
  else if (target.classGroupId != null) parseId(target.classGroupId, 'class_group_id');
}
