import { IsNull, type DataSource } from 'typeorm';
import {
  BadRequestError, CONSENT_METHODS, Consent, FaceTemplate, NotFoundError, Student, writeAudit, type AuditEntry, type ConsentMethod,
} from '@attendance/shared';
import { enqueueGallery, type JobQueue } from './jobs.js';

export interface ConsentInput { givenBy: string; relationship: string; method: string; policyVersion: string }

/**
 * Biometric consent: recorded with who gave it and under which policy; withdrawn in one transaction
 * that also erases the student's templates, so nothing biometric outlives the consent. Attendance
 * history stays, and manual marking keeps working for the student.
 */
export class ConsentService {
  constructor(private readonly ds: DataSource, private readonly queue: JobQueue, private readonly now: () => Date = () => new Date()) {}

  async record(studentId: number, input: ConsentInput, actor: AuditEntry['actor']): Promise<void> {
    const c = validate(input);
    const at = this.now();
    await this.ds.transaction(async (tx) => {
      const student = await tx.getRepository(Student).findOneBy({ id: studentId });
      if (!student) throw new NotFoundError(`student ${studentId} not found`);
      await tx.getRepository(Consent).insert({ studentId, ...c, givenAt: at, recordedById: actor?.id ?? null });
      await tx.getRepository(Student).update(studentId, { consentAt: at });
      await writeAudit(tx, { action: 'consent.recorded', actor, entity: 'student', entityId: studentId, details: { ...c } }, at);
    });
  }

  async withdraw(studentId: number, actor: AuditEntry['actor']): Promise<{ removed: number }> {
    const at = this.now();
    const removed = await this.ds.transaction(async (tx) => {
      const student = await tx.getRepository(Student).findOne({ where: { id: studentId }, withDeleted: true });
      if (!student) throw new NotFoundError(`student ${studentId} not found`);
      if (!student.consentAt) throw new BadRequestError('this student has no consent on record');
      await tx.getRepository(Consent).update({ studentId, withdrawnAt: IsNull() }, { withdrawnAt: at });
      const { affected } = await tx.getRepository(FaceTemplate).delete({ studentId });
      await tx.getRepository(Student).update(studentId, { consentAt: null, enrolledAt: null });
      await writeAudit(tx, { action: 'consent.withdrawn', actor, entity: 'student', entityId: studentId, details: { templatesErased: affected ?? 0 } }, at);
      return affected ?? 0;
    });
    await enqueueGallery(this.queue, 'gallery.templates-deleted', { studentId }, at.getTime());
    return { removed };
  }
}

function validate(input: ConsentInput): { givenBy: string; relationship: string; method: ConsentMethod; policyVersion: string } {
  const givenBy = String(input.givenBy ?? '').trim();
  const relationship = String(input.relationship ?? '').trim();
  const policyVersion = String(input.policyVersion ?? '').trim();
  const method = String(input.method ?? '') as ConsentMethod;
  if (!givenBy || givenBy.length > 128) throw new BadRequestError('who gave the consent is required (at most 128 characters)');
  if (!relationship || relationship.length > 32) throw new BadRequestError('the relationship to the student is required (e.g. mother, guardian, self)');
  if (!CONSENT_METHODS.includes(method)) throw new BadRequestError(`how consent was given must be one of ${CONSENT_METHODS.join(', ')}`);
  if (!policyVersion || policyVersion.length > 32) throw new BadRequestError('the policy version is required');
  return { givenBy, relationship, method, policyVersion };
}
