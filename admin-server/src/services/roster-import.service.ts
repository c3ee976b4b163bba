/**
 * Roster import: a plan of what would change (dry run), then the same plan applied in ONE transaction.
 * Rows are matched by their external id (OneRoster sourcedId) first, then by their natural key (roll
 * number, class name, username, class + weekday + start), so a re-import updates and never duplicates.
 * Any row error means nothing is written.
 */
import { In, type DataSource, type EntityManager } from 'typeorm';
import {
  Camera, ClassGroup, ClassSession, ExternalId, Student, User, writeAudit, type AuditEntry, type ExternalKind,
} from '@attendance/shared';
import { readRoster, type Roster, type RowError } from './roster-files.js';
import { clashes, lessonProblems, type LessonInput } from './timetable.js';

export interface Change { kind: ExternalKind; action: 'create' | 'update'; key: string; fields: Record<string, unknown> }
export interface ImportReport { dialect: Roster['dialect']; dryRun: boolean; applied: boolean; errors: RowError[]; changes: Change[]; unchanged: number; notes: string[] }

/** An imported teacher cannot log in until an admin sets a password: this is not an argon2 hash. */
const NO_PASSWORD = '!imported';

/** Rows that point at a row this same import creates: their id is filled in when it exists. */
type Links = { teacherOfClass: Map<Op, Op>; studentClass: Map<Op, Op>; lessonClass: Map<Op, Op> };
type Op = { kind: ExternalKind; sourceId: string | null; id: number | null; key: string; fields: Record<string, unknown>; changed: Record<string, unknown> };

function diff(existing: Record<string, unknown> | null, fields: Record<string, unknown>): Record<string, unknown> {
  if (!existing) return fields;
  return Object.fromEntries(Object.entries(fields).filter(([k, v]) => existing[k] !== v));
}

export class RosterImportService {
  constructor(private readonly ds: DataSource, private readonly clock: () => Date = () => new Date()) {}

  async run(files: Record<string, string>, opts: { dryRun: boolean; actor?: AuditEntry['actor'] }): Promise<ImportReport> {
    const roster = readRoster(files);
    const report = (ops: Op[], errors: RowError[], applied: boolean): ImportReport => ({
      dialect: roster.dialect, dryRun: opts.dryRun, applied, errors, notes: roster.notes,
      changes: ops.filter((o) => o.id === null || Object.keys(o.changed).length).map((o) => ({ kind: o.kind, action: o.id === null ? 'create' : 'update', key: o.key, fields: o.changed })),
      unchanged: ops.filter((o) => o.id !== null && !Object.keys(o.changed).length).length,
    });
    if (opts.dryRun) {
      const { ops, errors } = await this.plan(this.ds.manager, roster);
      return report(ops, errors, false);
    }
    const PlanFailed = class extends Error { constructor(readonly ops: Op[], readonly errors: RowError[]) { super('plan has errors'); } };
    try {
      return await this.ds.transaction(async (tx) => {
        const { ops, errors, links } = await this.plan(tx, roster);
        if (errors.length) throw new PlanFailed(ops, errors);
        const out = report(ops, [], true);
        await this.apply(tx, ops, links);
        await writeAudit(tx, { action: 'roster.imported', actor: opts.actor ?? null, entity: 'roster', details: { dialect: roster.dialect, changes: out.changes.length, unchanged: out.unchanged } }, this.clock());
        return out;
      });
    } catch (err) {
      if (err instanceof PlanFailed) return report(err.ops, err.errors, false);
      throw err;
    }
  }

  /** Reads what is there and works out every create and update; reads only. */
  private async plan(tx: EntityManager, roster: Roster): Promise<{ ops: Op[]; errors: RowError[]; links: Links }> {
    const errors = [...roster.errors];
    const err = (r: { file: string; line: number }, message: string) => errors.push({ file: r.file, line: r.line, message });
    const ext = new Map((await tx.getRepository(ExternalId).find()).map((e) => [`${e.kind}|${e.sourceId}`, e.localId]));
    const seen = new Set<string>();
    const once = (r: { file: string; line: number }, kind: string, key: string): boolean => {
      if (seen.has(`${kind}|${key}`)) { err(r, `${kind} "${key}" appears twice`); return false; }
      seen.add(`${kind}|${key}`);
      return true;
    };
    const ops: Op[] = [];
    const push = (kind: ExternalKind, sourceId: string | null, existing: (Record<string, unknown> & { id: number }) | null, key: string, fields: Record<string, unknown>): Op => {
      const op = { kind, sourceId, id: existing?.id ?? null, key, fields, changed: diff(existing, fields) };
      ops.push(op);
      return op;
    };
    const byExt = async <T extends { id: number }>(kind: ExternalKind, sourceId: string | null, find: () => Promise<T | null>, load: (id: number) => Promise<T | null>) => {
      const local = sourceId ? ext.get(`${kind}|${sourceId}`) : undefined;
      return (local !== undefined ? await load(local) : null) ?? await find();
    };

    // Teachers, keyed for classes by sourcedId (OneRoster) or username (project files).
    const users = tx.getRepository(User);
    const teacherIds = new Map<string, Op>();
    for (const t of roster.teachers) {
      if (!t.username || t.username.length > 64) { err(t, 'a teacher needs a username of at most 64 characters'); continue; }
      if (!once(t, 'teacher', t.sourceId ?? t.username)) continue;
      const existing = await byExt('teacher', t.sourceId, () => users.findOneBy({ username: t.username }), (id) => users.findOneBy({ id }));
      if (existing && existing.role !== 'teacher') { err(t, `the username "${t.username}" belongs to an ${existing.role} account`); continue; }
      teacherIds.set(t.sourceId ?? t.username, push('teacher', t.sourceId, existing as never, t.username, { username: t.username, displayName: t.displayName }));
    }
    /** An imported teacher's plan, an existing teacher's id, null for none, undefined when unknown. */
    const teacherRef = async (ref: string | null): Promise<Op | number | null | undefined> => {
      if (!ref) return null;
      return teacherIds.get(ref) ?? (await users.findOneBy({ username: ref, role: 'teacher' }))?.id;
    };

    const groups = tx.getRepository(ClassGroup);
    const classOps = new Map<string, Op>();
    const teacherOfClass = new Map<Op, Op>();
    for (const c of roster.classes) {
      if (!c.name || c.name.length > 64) { err(c, 'a class needs a name of at most 64 characters'); continue; }
      if (!once(c, 'class', c.sourceId ?? c.name)) continue;
      const existing = await byExt('class', c.sourceId, () => groups.findOneBy({ name: c.name }), (id) => groups.findOneBy({ id }));
      const teacher = await teacherRef(c.teacher);
      if (c.teacher && teacher === undefined) { err(c, `unknown teacher "${c.teacher}"`); continue; }
      const fields: Record<string, unknown> = { name: c.name, description: c.description };
      if (typeof teacher === 'number' || teacher === null) fields.teacherId = teacher;
      else if (teacher && teacher.id !== null) fields.teacherId = teacher.id;
      const op = push('class', c.sourceId, existing as never, c.name, fields);
      if (teacher && typeof teacher !== 'number' && teacher.id === null) { teacherOfClass.set(op, teacher); op.changed.teacherId = `(new) ${teacher.key}`; }
      classOps.set(c.sourceId ?? c.name, op);
    }
    const classRef = async (ref: string): Promise<Op | number | undefined> => classOps.get(ref) ?? (await groups.findOneBy({ name: ref }))?.id;

    const students = tx.getRepository(Student);
    const studentClass = new Map<Op, Op>();
    for (const s of roster.students) {
      if (!s.rollNumber || s.rollNumber.length > 32) { err(s, 'a student needs a roll number (identifier) of at most 32 characters'); continue; }
      if (!s.name || s.name.length > 128) { err(s, 'a student needs a name of at most 128 characters'); continue; }
      if (!once(s, 'student', s.sourceId ?? s.rollNumber)) continue;
      const existing = await byExt('student', s.sourceId, () => students.findOneBy({ rollNumber: s.rollNumber }), (id) => students.findOneBy({ id }));
      const cls = s.classKey ? await classRef(s.classKey) : null;
      if (s.classKey && cls === undefined) { err(s, `unknown class "${s.classKey}"`); continue; }
      const fields: Record<string, unknown> = { rollNumber: s.rollNumber, name: s.name, active: s.active };
      if (typeof cls === 'number' || cls === null) fields.classGroupId = cls;
      else if (cls && cls.id !== null) fields.classGroupId = cls.id;
      const op = push('student', s.sourceId, existing as never, s.rollNumber, fields);
      if (cls && typeof cls !== 'number' && cls.id === null) { studentClass.set(op, cls); op.changed.classGroupId = `(new) ${cls.key}`; }
    }

    const lessons = tx.getRepository(ClassSession);
    const cameras = new Map((await tx.getRepository(Camera).find()).map((c) => [c.name, c.id]));
    const lessonClass = new Map<Op, Op>();
    const planned: Array<LessonInput & { rec: { file: string; line: number } }> = [];
    let fakeId = -1;
    for (const l of roster.lessons) {
      const problems = lessonProblems(l);
      if (problems.length) { err(l, problems.join('; ')); continue; }
      if (!once(l, 'lesson', l.sourceId)) continue;
      const cls = await classRef(l.classKey);
      if (cls === undefined) { err(l, `unknown class "${l.classKey}"`); continue; }
      const cameraId = l.camera ? cameras.get(l.camera) : null;
      if (cameraId === undefined) { err(l, `unknown camera "${l.camera}"`); continue; }
      const classGroupId = typeof cls === 'number' ? cls : cls.id;
      const existing = await byExt('lesson', l.sourceId,
        async () => (classGroupId === null ? null : lessons.findOneBy({ classGroupId, weekday: l.weekday, startTime: l.startTime })), (id) => lessons.findOneBy({ id }));
      const fields: Record<string, unknown> = { weekday: l.weekday, startTime: l.startTime, endTime: l.endTime, subject: l.subject, cameraId, room: l.room, lateAfterMinutes: l.lateAfterMinutes };
      if (classGroupId !== null) fields.classGroupId = classGroupId;
      const op = push('lesson', l.sourceId, existing as never, `${l.classKey} ${l.weekday} ${l.startTime}`, fields);
      if (typeof cls !== 'number' && cls.id === null) { lessonClass.set(op, cls); op.changed.classGroupId = `(new) ${cls.key}`; }
      planned.push({ id: existing?.id ?? fakeId--, classGroupId: classGroupId ?? fakeId--, cameraId, room: l.room, weekday: l.weekday, startTime: l.startTime, endTime: l.endTime, rec: l });
    }
    // Overlaps against each other and against the lessons already there that this import does not move.
    const moved = new Set(planned.map((p) => p.id));
    const kept = (await lessons.findBy({ weekday: In([...new Set(planned.map((p) => p.weekday))]) })).filter((s) => !moved.has(s.id));
    // A clash between two imported rows is reported once, on the later row.
    for (const [i, p] of planned.entries()) {
      const c = clashes(p, [...kept, ...planned.slice(0, i)]);
      if (c.length) err(p.rec, c[0]);
    }
    return { ops, errors, links: { teacherOfClass, studentClass, lessonClass } };
  }

  /** Writes the plan in dependency order (teachers, classes, students, lessons) and records external ids. */
  private async apply(tx: EntityManager, ops: Op[], { teacherOfClass, studentClass, lessonClass }: Links): Promise<void> {
    const repos = { teacher: tx.getRepository(User), class: tx.getRepository(ClassGroup), student: tx.getRepository(Student), lesson: tx.getRepository(ClassSession) };
    const defaults: Record<ExternalKind, Record<string, unknown>> = { teacher: { role: 'teacher', passwordHash: NO_PASSWORD, active: true }, class: {}, student: {}, lesson: {} };
    for (const kind of ['teacher', 'class', 'student', 'lesson'] as const) {
      for (const op of ops.filter((o) => o.kind === kind)) {
        const link = (kind === 'class' ? teacherOfClass : kind === 'student' ? studentClass : kind === 'lesson' ? lessonClass : null)?.get(op);
        const fields = { ...op.fields };
        if (link) fields[kind === 'class' ? 'teacherId' : 'classGroupId'] = link.id;
        const repo = repos[kind] as unknown as { create(f: object): object; save(e: object): Promise<{ id: number }>; findOneByOrFail(w: object): Promise<object> };
        if (op.id === null) op.id = (await repo.save(repo.create({ ...defaults[kind], ...fields }))).id;
        // Saved through the entity, so hooks run (a student's inactiveSince follows `active`).
        else if (Object.keys(op.changed).length) await repo.save(Object.assign(await repo.findOneByOrFail({ id: op.id }), fields));
        if (op.sourceId) await this.link(tx, kind, op.sourceId, op.id);
      }
    }
  }

  /** Records (or repoints) the external id; a re-import that changes nothing writes nothing. */
  private async link(tx: EntityManager, kind: ExternalKind, sourceId: string, localId: number): Promise<void> {
    const repo = tx.getRepository(ExternalId);
    const row = await repo.findOneBy({ kind, sourceId });
    if (!row) await repo.insert({ kind, sourceId, localId });
    else if (row.localId !== localId) await repo.update(row.id, { localId });
  }
}
