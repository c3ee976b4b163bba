import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { BadRequestError, ForbiddenError, NotFoundError, Student, parseId, signToken, writeAudit, type Config } from '@attendance/shared';
import { can } from '../admin/policy.js';
import { clientIp, handle, sessionUser } from './http.js';

/** The modal's engine token: this student's liveness only, and short, so a leaked one soon dies. */
export const LIVENESS_TOKEN_TTL_SECONDS = 300;
/** Plain HTML and a module script: no bundler step, and it can be opened on its own for another client. */
const PAGE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'register-face.html');

/** The face-registration modal page and the scoped token it uses to talk to the engine directly. */
export function livenessRoutes(d: { config: Config; ds: DataSource }): Router {
  const r = Router();

  r.get('/liveness/register-face', handle(async (req, res) => {
    if (!can(sessionUser(req), 'Student', 'registerFace')) throw new ForbiddenError();
    res.set({ 'cache-control': 'no-store', 'permissions-policy': 'camera=(self)' }).sendFile(PAGE);
  }));

  r.post('/api/students/:id/liveness-token', handle(async (req, res) => {
    const user = sessionUser(req);
    if (!can(user, 'Student', 'registerFace')) throw new ForbiddenError();
    const id = parseId(req.params.id, 'student id');
    const student = await d.ds.getRepository(Student).findOneBy({ id });
    if (!student) throw new NotFoundError(`student ${req.params.id} not found`);
    if (!student.consentAt) throw new BadRequestError('record the biometric consent on the student first (consent date)');
    const token = await signToken(
      { secret: d.config.JWT_SECRET, issuer: d.config.JWT_ISSUER },
      { sub: String(user.userId), username: user.email, role: user.role, scope: 'liveness', studentId: id }, 'engine', LIVENESS_TOKEN_TTL_SECONDS,
    );
    await writeAudit(d.ds, { action: 'liveness.token_issued', actor: { id: user.userId, name: user.email }, entity: 'student', entityId: id, details: { ttlSeconds: LIVENESS_TOKEN_TTL_SECONDS }, ip: clientIp(req) });
    res.set('cache-control', 'no-store').json({
      token, expires_in: LIVENESS_TOKEN_TTL_SECONDS, engine_url: d.config.publicEngineUrl, student: { id, name: student.name },
    });
  }));

  return r;
}
