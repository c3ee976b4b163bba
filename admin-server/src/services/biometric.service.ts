import type { DataSource } from 'typeorm';
import { FaceTemplate, NotFoundError, Student, writeAudit, type AuditEntry } from '@attendance/shared';
import { enqueueGallery, type JobQueue } from './jobs.js';

export class BiometricService {
  constructor(private readonly ds: DataSource, private readonly queue: JobQueue, private readonly now: () => Date = () => new Date()) {}

  /**
   * Erases a student's face templates and enrolment date in one transaction with its audit entry,
   * then tells the engines to drop them from their galleries. The student and their attendance stay.
   */
  async deleteTemplates(studentId: number, actor: AuditEntry['actor'], ip: string | null): Promise<{ removed: number }> {
    const removed = await this.ds.transaction(async (tx) => {
      const student = await tx.getRepository(Student).findOne({ where: { id: studentId }, withDeleted: true });
      if (!student) throw new NotFoundError(`student ${studentId} not found`);
      const { affected } = await tx.getRepository(FaceTemplate).delete({ studentId });
      await tx.getRepository(Student).update(studentId, { enrolledAt: null });
      await writeAudit(tx, { action: 'biometric.deleted', actor, entity: 'student', entityId: studentId, details: { templates: affected ?? 0 }, ip }, this.now());
      return affected ?? 0;
    });
    await enqueueGallery(this.queue, 'gallery.templates-deleted', { studentId }, this.now().getTime());
    return { removed };
  }

  /** Template count and poses per student, for the enrolment status column. */
  async enrolmentStatus(studentIds: number[]): Promise<Map<number, { templates: number; poses: string[] }>> {
    const out = new Map<number, { templates: number; poses: string[] }>();
    if (!studentIds.length) return out;
    const rows: { studentId: number; pose: string; n: string | number }[] = await this.ds.getRepository(FaceTemplate)
      .createQueryBuilder('t').select('t.studentId', 'studentId').addSelect('t.pose', 'pose').addSelect('COUNT(*)', 'n')
      .where('t.studentId IN (:...ids)', { ids: studentIds }).groupBy('t.studentId').addGroupBy('t.pose').getRawMany();
    for (const r of rows) {
      const e = out.get(Number(r.studentId)) ?? { templates: 0, poses: [] };
      e.templates += Number(r.n);
      e.poses.push(r.pose);
      out.set(Number(r.studentId), e);
    }
    return out;
  }
}
