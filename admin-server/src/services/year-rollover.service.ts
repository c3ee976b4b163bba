/**
 * The year rollover: every class group of the year that ends is filed under that academic year (renamed
 * "Year 7 A (2025-2026)", its members recorded as they were, its lessons kept for its reports but off their
 * camera and room, so they never run again nor block the room); next year's groups are created from a mapping
 * ("Year 7 A" → "Year 8 A"; by default the first number in the name goes up by one) and the active students
 * move into them; the classes mapped to nothing leave (students deactivated, their history kept).
 * Marks are not touched: each keeps the class group it was made in (attendance_log.class_group_id), so the
 * old year's reports and exports say who was in which class. One transaction; a year name rolls over once.
 */
import { In, IsNull, type DataSource } from 'typeorm';
import {
  AcademicYear, BadRequestError, ClassGroup, ClassGroupMember, ClassSession, ConflictError, Student, writeAudit, type AuditEntry,
} from '@attendance/shared';

export interface RolloverOptions {
  /** The academic year that ends, e.g. `2025-2026`. */
  year: string;
  /** Old class name → next year's class name; null or '' = the class leaves the school. Unlisted classes are promoted by name. */
  mapping?: Record<string, string | null>;
  /** Classes that leave the school (the last year group), besides those the mapping sends nowhere. */
  leaving?: string[];
  dryRun: boolean;
  actor: NonNullable<AuditEntry['actor']>;
}

export interface RolloverClass { from: string; archivedAs: string; to: string | null; students: number }
/** `problems`: what stops the rollover (a dry run lists them; applying refuses with them). */
export interface RolloverReport { year: string; dryRun: boolean; applied: boolean; classes: RolloverClass[]; studentsMoved: number; leavers: number; problems: string[] }

const YEAR = /^[A-Za-z0-9][A-Za-z0-9 ./_-]{0,31}$/;

/** "Year 7 A" → "Year 8 A", "7A" → "8A"; null when the name has no number. */
export function promotedName(name: string): string | null {
  const m = /\d+/.exec(name);
  return m ? `${name.slice(0, m.index)}${Number(m[0]) + 1}${name.slice(m.index + m[0].length)}` : null;
}

/** "Year 7 A (2025-2026)", within the 64 characters a class name has. */
const archivedName = (name: string, year: string) => `${name.slice(0, 64 - year.length - 3)} (${year})`;

export class YearRolloverService {
  constructor(private readonly ds: DataSource, private readonly clock: () => Date = () => new Date()) {}

  async run(o: RolloverOptions): Promise<RolloverReport> {
    const year = String(o.year ?? '').trim();
    if (!YEAR.test(year)) throw new BadRequestError('year names the school year that ends, e.g. 2025-2026 (letters, digits, space . / _ -; up to 32)');
    const done = await this.ds.getRepository(AcademicYear).findOneBy({ name: year });
    if (done) throw new ConflictError(`the year ${year} was already rolled over (${done.archivedAt.toISOString().slice(0, 10)}); nothing was changed`);
    const groups = await this.ds.getRepository(ClassGroup).find({ where: { academicYearId: IsNull() }, order: { name: 'ASC' } });
    if (!groups.length) throw new BadRequestError('there are no class groups to roll over');
    const mapping = o.mapping ?? {};
    const leaving = new Set((o.leaving ?? []).map((n) => n.trim()));
    const known = new Set(groups.map((g) => g.name));
    const unknown = [...Object.keys(mapping), ...leaving].filter((n) => !known.has(n));
    if (unknown.length) throw new BadRequestError(`no current class named ${unknown.map((n) => `"${n.slice(0, 64)}"`).join(', ')}`);

    const students = await this.ds.getRepository(Student).find({ where: { classGroupId: In(groups.map((g) => g.id)), active: true }, select: { id: true, classGroupId: true } });
    const problems: string[] = [];
    const plan = groups.map((g) => {
      const mapped = Object.hasOwn(mapping, g.name) ? (mapping[g.name] ?? '').trim() || null : leaving.has(g.name) ? null : promotedName(g.name);
      if (!Object.hasOwn(mapping, g.name) && !leaving.has(g.name) && mapped === null) problems.push(`"${g.name}" has no number to promote: map it to next year's class, or to nothing if it leaves`);
      if (mapped && mapped.length > 64) problems.push(`"${mapped.slice(0, 64)}…" is longer than 64 characters`);
      return { group: g, to: mapped, members: students.filter((s) => s.classGroupId === g.id).map((s) => s.id) };
    });
    if (problems.length && !o.dryRun) throw new BadRequestError(problems.join('; '));
    const report: RolloverReport = {
      year, dryRun: o.dryRun, applied: false, problems,
      classes: plan.map((p) => ({ from: p.group.name, archivedAs: archivedName(p.group.name, year), to: p.to, students: p.members.length })),
      studentsMoved: plan.filter((p) => p.to).reduce((n, p) => n + p.members.length, 0),
      leavers: plan.filter((p) => !p.to).reduce((n, p) => n + p.members.length, 0),
    };
    if (o.dryRun) return report;

    const now = this.clock();
    await this.ds.transaction(async (tx) => {
      const { id: yearId } = await tx.getRepository(AcademicYear).save({ name: year, archivedAt: now });
      for (const p of plan) {
        if (p.members.length) await tx.getRepository(ClassGroupMember).insert(p.members.map((studentId) => ({ classGroupId: p.group.id, studentId })));
        await tx.getRepository(ClassGroup).update(p.group.id, { name: archivedName(p.group.name, year), academicYearId: yearId });
        // Kept for the old year's reports; off the camera and room, so they never run again nor clash with next year's lessons.
        await tx.getRepository(ClassSession).update({ classGroupId: p.group.id }, { cameraId: null, room: null });
      }
      const next = new Map<string, number>();
      for (const p of plan) {
        if (!p.members.length && !p.to) continue;
        if (p.to && !next.has(p.to)) next.set(p.to, (await tx.getRepository(ClassGroup).save({ name: p.to, description: null, teacherId: null, academicYearId: null })).id);
        if (!p.members.length) continue;
        await tx.getRepository(Student).update({ id: In(p.members) }, p.to ? { classGroupId: next.get(p.to)! } : { active: false, inactiveSince: now });
      }
      await writeAudit(tx, { action: 'year.rolled-over', actor: o.actor, entity: 'academic_year', entityId: yearId, details: { ...report, dryRun: false, applied: true } }, now);
    });
    return { ...report, applied: true };
  }
}
