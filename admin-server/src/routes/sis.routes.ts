import express, { Router, type Request } from 'express';
import { In, Like, type DataSource, type FindOptionsWhere } from 'typeorm';
import {
  ApiKey, BadRequestError, Student, UnauthorizedError, hashApiKey, signToken, verifyToken, type Config, type LoginLimiter,
} from '@attendance/shared';
import { makeAuthenticate } from '../admin/auth.js';
import { parseAttendanceFilter, type AttendanceService } from '../services/attendance.service.js';
import { toCsv } from '../services/csv.js';
import { REGISTER_COLUMNS, RegisterExportService } from '../services/register-export.service.js';
import { clientIp, handle } from './http.js';
import { openApiDocument } from './openapi.js';

/** Tokens for school systems are longer-lived than browser ones, but still expire within the hour. */
const SIS_TOKEN_TTL_SECONDS = 3600;
const MAX_PER_PAGE = 200;

export interface SisDeps { config: Config; ds: DataSource; attendance: AttendanceService; limiter: LoginLimiter; registerExport: RegisterExportService }

function page(req: Request): { page: number; perPage: number } {
  const p = Number(req.query.page ?? 1);
  const pp = Number(req.query.perPage ?? 50);
  if (!Number.isInteger(p) || p < 1 || !Number.isInteger(pp) || pp < 1 || pp > MAX_PER_PAGE) throw new BadRequestError(`page ≥ 1, perPage 1..${MAX_PER_PAGE}`);
  return { page: p, perPage: pp };
}

/** A read-only API for SIS/LMS: a Bearer JWT (audience admin-api) or an `X-API-Key` of scope sis. */
export function sisRoutes(d: SisDeps): Router {
  const r = Router();
  const jwt = { secret: d.config.JWT_SECRET, issuer: d.config.JWT_ISSUER };
  const authenticate = makeAuthenticate(d.ds, d.limiter);

  r.get('/openapi.json', (_req, res) => { res.json(openApiDocument()); });

  r.post('/auth/token', express.json({ limit: '10kb' }), handle(async (req, res) => {
    const ip = clientIp(req);
    // The same limiter as the panel's form: counted per user and address before the password is checked.
    const { username, password } = (req.body ?? {}) as { username?: string; password?: string };
    const user = await authenticate(String(username ?? ''), String(password ?? ''), ip);
    if (!user || user.role === 'teacher') throw new UnauthorizedError('wrong username or password, or not an admin/staff account');
    const token = await signToken(jwt, { sub: String(user.userId), username: user.email, role: user.role }, 'admin-api', SIS_TOKEN_TTL_SECONDS);
    res.json({ access_token: token, token_type: 'bearer', expires_in: SIS_TOKEN_TTL_SECONDS });
  }));

  const checkCaller = async (req: Request): Promise<void> => {
    const key = req.get('x-api-key');
    const bearer = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (key) {
      const row = await d.ds.getRepository(ApiKey).findOneBy({ keyHash: hashApiKey(key), scope: 'sis', active: true });
      if (!row) throw new UnauthorizedError('unknown or inactive API key');
      await d.ds.getRepository(ApiKey).update(row.id, { lastUsedAt: new Date() });
    } else if (bearer) {
      const claims = await verifyToken(jwt, bearer, 'admin-api');
      if (claims.role === 'teacher') throw new UnauthorizedError('teacher tokens cannot read the whole school');
    } else {
      throw new UnauthorizedError('send X-API-Key or Authorization: Bearer <token>');
    }
  };
  r.use((req, _res, next) => { checkCaller(req).then(() => next(), next); });

  r.get('/students', handle(async (req, res) => {
    const { page: p, perPage } = page(req);
    const where: FindOptionsWhere<Student> = {};
    if (req.query.classGroupId) where.classGroupId = Number(req.query.classGroupId);
    if (req.query.active !== undefined) where.active = req.query.active === 'true';
    if (typeof req.query.rollNumber === 'string') where.rollNumber = req.query.rollNumber;
    if (typeof req.query.q === 'string' && req.query.q) where.name = Like(`%${req.query.q}%`);
    if (typeof req.query.ids === 'string') where.id = In(req.query.ids.split(',').map(Number));
    const [rows, total] = await d.ds.getRepository(Student).findAndCount({ where, order: { id: 'ASC' }, take: perPage, skip: (p - 1) * perPage, relations: { classGroup: true } });
    res.json({
      page: p, perPage, total,
      data: rows.map((s) => ({ id: s.id, name: s.name, rollNumber: s.rollNumber, classGroupId: s.classGroupId, classGroup: s.classGroup?.name ?? null, active: s.active, enrolledAt: s.enrolledAt })),
    });
  }));

  r.get('/attendance', handle(async (req, res) => {
    const { page: p, perPage } = page(req);
    const filter = parseAttendanceFilter(req.query as Record<string, unknown>);
    const { total, rows } = await d.attendance.listMarks(filter, null, { limit: perPage, offset: (p - 1) * perPage });
    res.json({ page: p, perPage, total, data: rows });
  }));

  /** The register: every student of every lesson from..to, absences included; `.csv` for the same as a file. */
  r.get('/register', handle(async (req, res) => {
    const { page: p, perPage } = page(req);
    const rows = await d.registerExport.rows(req.query, null);
    res.json({ page: p, perPage, total: rows.length, data: rows.slice((p - 1) * perPage, p * perPage) });
  }));
  r.get('/register.csv', handle(async (req, res) => {
    const rows = await d.registerExport.rows(req.query, null);
    res.type('text/csv; charset=utf-8').send(toCsv([...REGISTER_COLUMNS], RegisterExportService.cells(rows)));
  }));

  return r;
}
