import { And, In, IsNull, LessThan, Not, type DataSource, type EntityManager } from 'typeorm';
import {
  AttendanceLog, AttendanceMonthly, FaceTemplate, Student, schoolDay, writeAudit, type AttendanceStatus,
} from '@attendance/shared';
import { enqueueGallery, type JobQueue } from './jobs.js';

export interface RetentionPolicy { templateDays: number; attendanceMonths: number; timeZone: string }

export interface RetentionReport {
  at: string;
  dryRun: boolean;
  policy: RetentionPolicy;
  /** Students whose templates are (or would be) erased, with how many. */
  templates: Array<{ studentId: number; name: string; templates: number }>;
  /** Marks before this day are reduced to monthly totals. */
  attendanceCutoff: string;
  attendanceRows: number;
}

/** The policy in words, for the admin panel and the README. */
export function describePolicy(p: RetentionPolicy): string[] {
  return [
    `Face templates of a student who has left (deactivated or deleted) are erased ${p.templateDays} days after they left.`,
    `Attendance marks older than ${p.attendanceMonths} months are deleted; only monthly totals per student (present, late, absent, excused) are kept.`,
    'No image is ever stored. Templates are erased at once when consent is withdrawn or biometric data is deleted.',
  ];
}

/**
 * Applies the retention policy (or reports what it would do). Runs daily as a BullMQ job; the
 * clock is injected so tests can place "today" anywhere.
 */
export class RetentionService {
  constructor(private readonly ds: DataSource, private readonly queue: JobQueue, readonly policy: RetentionPolicy, private readonly now: () => Date = () => new Date()) {}

  async run({ dryRun }: { dryRun: boolean }): Promise<RetentionReport> {
    const at = this.now();
    const leftBefore = new Date(at.getTime() - this.policy.templateDays * 86_400_000);
    const attendanceCutoff = monthsBefore(schoolDay(at, this.policy.timeZone), this.policy.attendanceMonths);
    const report = await this.ds.transaction(async (tx) => {
      const templates = await this.expiredTemplates(tx, leftBefore);
      const attendanceRows = await tx.getRepository(AttendanceLog).countBy({ day: LessThan(attendanceCutoff) });
      const r: RetentionReport = { at: at.toISOString(), dryRun, policy: this.policy, templates, attendanceCutoff, attendanceRows };
      if (dryRun) return r;
      if (templates.length) await tx.getRepository(FaceTemplate).delete({ studentId: In(templates.map((t) => t.studentId)) });
      if (attendanceRows) await this.summarise(tx, attendanceCutoff);
      await writeAudit(tx, { action: 'retention.applied', actor: { id: null, name: 'retention-job' }, details: {
        studentsErased: templates.map((t) => t.studentId), templatesErased: templates.reduce((n, t) => n + t.templates, 0), attendanceCutoff, attendanceRows,
      } }, at);
      return r;
    });
    if (!dryRun) await Promise.all(report.templates.map((t) => enqueueGallery(this.queue, 'gallery.templates-deleted', { studentId: t.studentId }, at.getTime())));
    return report;
  }

  private async expiredTemplates(tx: EntityManager, leftBefore: Date): Promise<RetentionReport['templates']> {
    const students = await tx.getRepository(Student).find({
      withDeleted: true,
      select: { id: true, name: true },
      where: [
        { active: false, inactiveSince: And(Not(IsNull()), LessThan(leftBefore)) },
        { deletedAt: And(Not(IsNull()), LessThan(leftBefore)) },
      ],
    });
    const out: RetentionReport['templates'] = [];
    for (const s of students) {
      const n = await tx.getRepository(FaceTemplate).countBy({ studentId: s.id });
      if (n) out.push({ studentId: s.id, name: s.name, templates: n });
    }
    return out;
  }

  /** Adds old marks to the monthly totals, then deletes them. */
  private async summarise(tx: EntityManager, cutoff: string): Promise<void> {
    const rows: Array<{ studentId: number; month: string; status: AttendanceStatus; n: string | number }> = await tx.getRepository(AttendanceLog)
      .createQueryBuilder('a').select('a.studentId', 'studentId').addSelect('SUBSTR(a.day, 1, 7)', 'month').addSelect('a.status', 'status')
      .addSelect('COUNT(*)', 'n').where('a.day < :cutoff', { cutoff }).groupBy('a.studentId').addGroupBy('SUBSTR(a.day, 1, 7)').addGroupBy('a.status').getRawMany();
    const repo = tx.getRepository(AttendanceMonthly);
    for (const r of rows) {
      const key = { studentId: Number(r.studentId), month: r.month };
      const row = (await repo.findOneBy(key)) ?? repo.create({ ...key, present: 0, late: 0, absent: 0, excused: 0 });
      row[r.status] += Number(r.n);
      await repo.save(row);
    }
    await tx.getRepository(AttendanceLog).delete({ day: LessThan(cutoff) });
  }
}

/** `2026-11-22`, 24 → `2024-11-01`: the first day of the month `months` before. */
export function monthsBefore(day: string, months: number): string {
  const [y, m] = day.split('-').map(Number);
  const total = y * 12 + (m - 1) - months;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}-01`;
}
