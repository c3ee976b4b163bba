import express, { Router, type Request } from 'express';
import { ForbiddenError, parseId } from '@attendance/shared';
import { can, groupScope } from '../admin/policy.js';
import type { RegisterService } from '../services/register.service.js';
import { handle, sessionUser } from './http.js';

/**
 * The lesson register for the panel's Register page (session cookie; writes pass the CSRF rule in app.ts).
 * Teachers reach only their own class groups' lessons (groupScope); reopening is for staff and admins.
 */
export function registerRoutes(register: RegisterService): Router {
  const r = Router();
  const json = express.json({ limit: '10kb' });
  const taker = (req: Request) => {
    const user = sessionUser(req);
    if (!can(user, 'LessonRegister', 'take')) throw new ForbiddenError();
    return { user, actor: { id: user.userId, name: user.email }, scope: groupScope(user) };
  };
  const lesson = (req: Request) => ({ sessionId: parseId(req.params.sessionId, 'lesson id'), day: String(req.params.day) });
  const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;
  const optString = (v: unknown) => (typeof v === 'string' && v ? v : null);

  r.get('/register/lessons', handle(async (req, res) => {
    const { scope } = taker(req);
    const day = typeof req.query.day === 'string' && req.query.day ? req.query.day : register.today();
    res.set('cache-control', 'no-store').json({ today: register.today(), day, lessons: await register.lessons(scope, day) });
  }));

  r.get('/register/:sessionId/:day', handle(async (req, res) => {
    const { scope, user } = taker(req);
    const { sessionId, day } = lesson(req);
    res.set('cache-control', 'no-store').json({ ...(await register.view(sessionId, day, scope)), mayReopen: can(user, 'LessonRegister', 'reopen') });
  }));

  r.post('/register/:sessionId/:day/students/:studentId', json, handle(async (req, res) => {
    const { actor, scope } = taker(req);
    const { sessionId, day } = lesson(req);
    const b = body(req);
    const mark = await register.setMark(sessionId, day, parseId(req.params.studentId, 'student id'), { status: String(b.status ?? ''), reasonCode: optString(b.reasonCode), note: optString(b.note) }, actor, scope);
    res.json({ mark });
  }));

  r.post('/register/:sessionId/:day/remaining-absent', json, handle(async (req, res) => {
    const { actor, scope } = taker(req);
    const { sessionId, day } = lesson(req);
    res.json({ marked: await register.markRemainingAbsent(sessionId, day, actor, scope, optString(body(req).reasonCode)) });
  }));

  r.post('/register/:sessionId/:day/confirm', handle(async (req, res) => {
    const { actor, scope } = taker(req);
    const { sessionId, day } = lesson(req);
    res.json({ lesson: await register.confirm(sessionId, day, actor, scope) });
  }));

  r.post('/register/:sessionId/:day/reopen', json, handle(async (req, res) => {
    const user = sessionUser(req);
    if (!can(user, 'LessonRegister', 'reopen')) throw new ForbiddenError('only school staff can reopen a confirmed register');
    const { sessionId, day } = lesson(req);
    res.json({ lesson: await register.reopen(sessionId, day, { id: user.userId, name: user.email }, optString(body(req).reason)) });
  }));

  return r;
}
