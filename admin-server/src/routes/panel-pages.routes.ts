import express, { Router } from 'express';
import { ForbiddenError, User, parseId } from '@attendance/shared';
import type { DataSource } from 'typeorm';
import { can, groupScope } from '../admin/policy.js';
import type { TimetableWeekService } from '../services/timetable-week.service.js';
import { handle, sessionUser } from './http.js';

/**
 * JSON routes behind the panel's own pickers and pages (session cookie; writes pass the CSRF rule in app.ts):
 * the teacher picker of a class group, and the week-grid timetable editor.
 */
export function panelPagesRoutes(d: { ds: DataSource; timetable: TimetableWeekService }): Router {
  const r = Router();

  /**
   * The teachers a class group can be given, for whoever may edit class groups (staff included): names and
   * usernames only. Staff still cannot list, read or edit users (the User resource stays admin-only).
   */
  r.get('/teachers', handle(async (req, res) => {
    if (!can(sessionUser(req), 'ClassGroup', 'edit')) throw new ForbiddenError('only school staff choose a class group\'s teacher');
    const rows = await d.ds.getRepository(User).find({ where: { role: 'teacher', active: true }, select: { id: true, username: true, displayName: true } });
    const label = (u: User) => (u.displayName ? `${u.displayName} (${u.username})` : u.username);
    res.set('cache-control', 'no-store').json({
      teachers: rows.map((u) => ({ id: u.id, username: u.username, displayName: u.displayName, label: label(u) })).sort((a, b) => a.label.localeCompare(b.label)),
    });
  }));

  r.get('/timetable/:classGroupId', handle(async (req, res) => {
    const user = sessionUser(req);
    if (!can(user, 'ClassSession', 'list')) throw new ForbiddenError();
    const week = await d.timetable.week(parseId(req.params.classGroupId, 'class group id'), groupScope(user));
    const mayEdit = can(user, 'ClassSession', 'new');
    // The school's cameras are for the form that adds lessons; a teacher reads only their own lessons' rooms.
    res.set('cache-control', 'no-store').json({ ...week, cameras: mayEdit ? week.cameras : [], mayEdit });
  }));

  /** `{subject, startTime, endTime, cameraId, lateAfterMinutes, weekdays: [1..7]}`; a refusal is a 400 with `details.fields`. */
  r.post('/timetable/:classGroupId/lessons', express.json({ limit: '10kb' }), handle(async (req, res) => {
    if (!can(sessionUser(req), 'ClassSession', 'new')) throw new ForbiddenError();
    res.status(201).json({ lessons: await d.timetable.add(parseId(req.params.classGroupId, 'class group id'), req.body) });
  }));

  r.delete('/timetable/lessons/:id', handle(async (req, res) => {
    if (!can(sessionUser(req), 'ClassSession', 'delete')) throw new ForbiddenError();
    await d.timetable.remove(parseId(req.params.id, 'lesson id'));
    res.json({ ok: true });
  }));

  return r;
}
