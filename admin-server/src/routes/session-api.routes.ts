import express, { Router } from 'express';
import type { DataSource } from 'typeorm';
import {
  ApiKey, AttendanceLog, AuditLog, BadRequestError, ClassGroup, Consent, FaceTemplate, ForbiddenError, NotFoundError, Student, User,
  UnauthorizedError, API_KEY_ROUTES, createApiKey, parseId, revokeApiKey, hashPassword, schoolDay, signToken, verifyPassword, writeAudit, type Config,
} from '@attendance/shared';
import { can, groupScope, type AdminUser } from '../admin/policy.js';
import { MIN_PASSWORD_LENGTH } from '../admin/resources/users.resource.js';
import { parseAttendanceFilter, type AttendanceService } from '../services/attendance.service.js';
import { toCsv } from '../services/csv.js';
import { describePolicy, type RetentionService } from '../services/retention.service.js';
import type { DashboardService } from '../services/dashboard.service.js';
import type { EngineClient } from '../services/engine-client.js';
import { clientIp, handle, sessionUser } from './http.js';

/** Browser tokens for the engine (liveness modal, live view): short, so a leaked one soon dies. */
export const ENGINE_TOKEN_TTL_SECONDS = 300;
/** Up to 10 photos of a few MB each, as base64. */
const ENROLL_BODY_LIMIT = '40mb';

export interface SessionApiDeps {
  config: Config; ds: DataSource; attendance: AttendanceService; dashboard: DashboardService; engine: EngineClient; clock: () => Date; retention: RetentionService;
}

export const engineTokenFor = (config: Config, user: AdminUser, ttl = ENGINE_TOKEN_TTL_SECONDS) =>
  signToken({ secret: config.JWT_SECRET, issuer: config.JWT_ISSUER }, { sub: String(user.userId), username: user.email, role: user.role }, 'engine', ttl);

const day = (v: unknown, fallback: string): string => {
  const s = typeof v === 'string' && v ? v : fallback;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) throw new BadRequestError('dates are YYYY-MM-DD');
  return s;
};

/** JSON routes for the panel's own pages, authenticated by the admin session cookie. */
export function sessionApiRoutes(d: SessionApiDeps): Router {
  const r = Router();
  const json = express.json({ limit: '100kb' });
  const today = () => schoolDay(d.clock(), d.config.SCHOOL_TIMEZONE);

  r.get('/engine-token', handle(async (req, res) => {
    const user = sessionUser(req);
    res.set('cache-control', 'no-store').json({ token: await engineTokenFor(d.config, user), expires_in: ENGINE_TOKEN_TTL_SECONDS, engine_url: d.config.publicEngineUrl });
  }));

  r.post('/me/password', json, handle(async (req, res) => {
    const me = sessionUser(req);
    const { current, next } = (req.body ?? {}) as { current?: string; next?: string };
    if (typeof next !== 'string' || next.length < MIN_PASSWORD_LENGTH) throw new BadRequestError(`the new password needs at least ${MIN_PASSWORD_LENGTH} characters`);
    const user = await d.ds.getRepository(User).findOneByOrFail({ id: me.userId });
    if (!(await verifyPassword(user.passwordHash, String(current ?? '')))) throw new UnauthorizedError('the current password is wrong');
    await d.ds.getRepository(User).update(user.id, { passwordHash: await hashPassword(next) });
    await writeAudit(d.ds, { action: 'user.password-changed', actor: { id: me.userId, name: me.email }, entity: 'user', entityId: me.userId, ip: clientIp(req) });
    res.json({ ok: true });
  }));

  r.get('/dashboard', handle(async (req, res) => {
    const user = sessionUser(req);
    res.json(await d.dashboard.load(groupScope(user), user.role === 'teacher' ? user.cameraIds : null));
  }));

  r.get('/reports/options', handle(async (req, res) => {
    const scope = groupScope(sessionUser(req));
    const groups = await d.ds.getRepository(ClassGroup).find({ order: { name: 'ASC' } });
    const visible = groups.filter((g) => !scope || scope.includes(g.id));
    const students = await d.ds.getRepository(Student).find({ order: { name: 'ASC' }, select: { id: true, name: true, rollNumber: true, classGroupId: true } });
    res.json({
      today: today(),
      groups: visible.map((g) => ({ id: g.id, name: g.name })),
      students: students.filter((s) => !scope || (s.classGroupId !== null && scope.includes(s.classGroupId))),
    });
  }));

  r.get('/reports/class-group/:id', handle(async (req, res) => {
    const from = day(req.query.from, today());
    const { group, report } = await d.attendance.groupReport(parseId(req.params.id, 'id'), from, day(req.query.to, from), groupScope(sessionUser(req)));
    res.json({ group: { id: group.id, name: group.name }, ...report });
  }));

  r.get('/reports/student/:id', handle(async (req, res) => {
    const to = day(req.query.to, today());
    const from = day(req.query.from, schoolDay(new Date(Date.parse(`${to}T12:00:00Z`) - 29 * 86_400_000), 'UTC'));
    res.json(await d.attendance.studentHistory(parseId(req.params.id, 'id'), from, to, groupScope(sessionUser(req))));
  }));

  r.get('/attendance/export.csv', handle(async (req, res) => {
    const user = sessionUser(req);
    if (!can(user, 'AttendanceLog', 'exportCsv')) throw new ForbiddenError();
    const filter = parseAttendanceFilter(req.query as Record<string, unknown>);
    const { rows } = await d.attendance.listMarks(filter, groupScope(user));
    const csv = toCsv(
      ['day', 'marked_at', 'student', 'roll_number', 'class_group', 'status', 'slot', 'source', 'confidence', 'camera', 'note'],
      rows.map((m) => [m.day, m.markedAt, m.studentName, m.rollNumber, m.classGroup, m.status, m.slot, m.source, m.confidence, m.camera, m.note]),
    );
    await writeAudit(d.ds, { action: 'attendance.exported', actor: { id: user.userId, name: user.email }, entity: 'attendance', details: { filter, rows: rows.length }, ip: clientIp(req) });
    res.set({ 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="attendance-${today()}.csv"`, 'cache-control': 'no-store' }).send(csv);
  }));

  r.get('/retention/policy', handle(async (req, res) => {
    sessionUser(req);
    res.json({ policy: describePolicy(d.retention.policy) });
  }));

  r.get('/retention/preview', handle(async (req, res) => {
    const user = sessionUser(req);
    if (user.role === 'teacher') throw new ForbiddenError();
    res.set('cache-control', 'no-store').json(await d.retention.run({ dryRun: true }));
  }));

  /** Everything the school holds about one student (a subject access request); templates only as a count. */
  r.get('/students/:id/export.json', handle(async (req, res) => {
    const user = sessionUser(req);
    if (!can(user, 'Student', 'exportData')) throw new ForbiddenError();
    const id = parseId(req.params.id, 'id');
    const student = await d.ds.getRepository(Student).findOne({ where: { id }, withDeleted: true });
    if (!student) throw new NotFoundError(`student ${id} not found`);
    const [consents, attendance, audit, templates] = await Promise.all([
      d.ds.getRepository(Consent).find({ where: { studentId: id }, order: { givenAt: 'ASC' } }),
      d.ds.getRepository(AttendanceLog).find({ where: { studentId: id }, order: { markedAt: 'ASC' } }),
      d.ds.getRepository(AuditLog).find({ where: { entity: 'student', entityId: String(id) }, order: { at: 'ASC' } }),
      d.ds.getRepository(FaceTemplate).find({ where: { studentId: id }, select: { pose: true, modelId: true, createdAt: true } }),
    ]);
    await writeAudit(d.ds, { action: 'student.data_exported', actor: { id: user.userId, name: user.email }, entity: 'student', entityId: id, ip: clientIp(req) });
    res.set({ 'content-disposition': `attachment; filename="student-${id}-${today()}.json"`, 'cache-control': 'no-store' }).json({
      exported_at: d.clock().toISOString(),
      student,
      consents,
      biometric: { templates: templates.length, poses: templates.map((t) => t.pose), model: templates[0]?.modelId ?? null, note: 'face templates are encrypted and are never exported' },
      attendance,
      audit: audit.map((a) => ({ ...a, details: a.details ? JSON.parse(a.details) : null })),
    });
  }));

  r.post('/students/:id/enroll', express.json({ limit: ENROLL_BODY_LIMIT }), handle(async (req, res) => {
    const user = sessionUser(req);
    const id = parseId(req.params.id, 'id');
    const student = await d.ds.getRepository(Student).findOneBy({ id });
    if (!student) throw new NotFoundError(`student ${id} not found`);
    if (!can(user, 'Student', 'enrollPhotos')) throw new ForbiddenError();
    if (!student.consentAt) throw new BadRequestError('record the biometric consent first (Record consent, on the student)');
    const photos = (req.body as { photos?: unknown })?.photos;
    if (!Array.isArray(photos) || !photos.length || photos.length > 10 || photos.some((p) => typeof p !== 'string')) {
      throw new BadRequestError('send 1 to 10 photos as base64 strings');
    }
    const result = await d.engine.enroll(await engineTokenFor(d.config, user, 60), id, photos as string[]);
    // The engine audits the enrolment (as this user: the token carries them) and enqueues the gallery job.
    res.status(201).json(result);
  }));

  r.post('/api-keys', json, handle(async (req, res) => {
    const user = sessionUser(req);
    if (!can(user, 'ApiKey', 'createKey')) throw new ForbiddenError();
    const b = (req.body ?? {}) as { name?: unknown; scope?: unknown; camera_id?: unknown };
    const key = await createApiKey(d.ds, { name: String(b.name ?? ''), scope: String(b.scope ?? 'sis'), cameraId: b.camera_id === undefined || b.camera_id === '' ? null : Number(b.camera_id) }, { id: user.userId, name: user.email }, clientIp(req));
    res.status(201).set('cache-control', 'no-store').json({ id: key.id, name: key.name, prefix: key.prefix, scope: key.scope, camera_id: key.cameraId, may_call: API_KEY_ROUTES[key.scope], key: key.key });
  }));

  r.post('/api-keys/:id/revoke', handle(async (req, res) => {
    const user = sessionUser(req);
    if (!can(user, 'ApiKey', 'revoke')) throw new ForbiddenError();
    await revokeApiKey(d.ds, parseId(req.params.id, 'id'), { id: user.userId, name: user.email }, clientIp(req));
    res.json({ ok: true });
  }));

  return r;
}
