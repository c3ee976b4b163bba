import type { NextFunction, Request, Response } from 'express';
import { In, type DataSource } from 'typeorm';
import { AttendanceLog, ClassSession, Student, StudentPresence } from '@attendance/shared';
import { can, isResourceId, type AdminUser, type ResourceId } from '../admin/policy.js';

const ROUTE = /^\/(?:api\/)?resources\/([^/]+)(?:\/(?:actions\/([^/]+)|records\/([^/]+)\/([^/]+)|bulk\/([^/]+)|search(?:\/.*)?))?\/?$/;

/** Whether a teacher's record lies inside their class groups or rooms. */
async function inScope(ds: DataSource, user: AdminUser, resource: ResourceId, recordId: string): Promise<boolean> {
  if (user.role !== 'teacher') return true;
  const id = Number(recordId);
  if (!Number.isInteger(id)) return false;
  const groups = user.classGroupIds.length ? user.classGroupIds : [-1];
  switch (resource) {
    case 'Student': return ds.getRepository(Student).existsBy({ id, classGroupId: In(groups) });
    case 'ClassGroup': return user.classGroupIds.includes(id);
    case 'ClassSession': return ds.getRepository(ClassSession).existsBy({ id, classGroupId: In(groups) });
    case 'Camera': return user.cameraIds.includes(id);
    case 'StudentPresence': return ds.getRepository(StudentPresence).existsBy({ id, cameraId: In(user.cameraIds.length ? user.cameraIds : [-1]) });
    case 'AttendanceLog': return ds.getRepository(AttendanceLog).exists({ where: { id, student: { classGroupId: In(groups) } } });
    default: return false;
  }
}

/**
 * In front of AdminJS: every resource page and API call is checked against the policy (and, for a
 * teacher, against their classes) before AdminJS sees it, so a hidden button is never the only
 * barrier. AdminJS itself answers a forbidden action with a 200 and a notice; this answers 403.
 */
export function adminGuard(ds: DataSource) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const m = ROUTE.exec(req.path);
    const user = req.session?.adminUser;
    if (!m || !user) return next(); // not a resource route, or AdminJS will send the visitor to the login page
    const [, resourceId, resourceAction, recordId, recordAction, bulkAction] = m;
    const action = resourceAction ?? recordAction ?? bulkAction ?? (req.path.includes('/search') ? 'search' : 'list');
    try {
      const allowed = isResourceId(resourceId) && can(user, resourceId, action)
        && (!recordId || await inScope(ds, user, resourceId, recordId));
      if (allowed) return next();
      res.status(403);
      if (req.path.startsWith('/api/')) res.json({ error: 'forbidden', message: `${user.role} may not ${action} ${resourceId}` });
      else res.type('text/plain').send(`403 Forbidden: a ${user.role} may not ${action} ${resourceId}.`);
    } catch (err) {
      next(err);
    }
  };
}
