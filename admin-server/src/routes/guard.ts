import type { NextFunction, Request, Response } from 'express';
import { And, Equal, type DataSource, type EntityMetadata, type EntityTarget, type FindOperator } from 'typeorm';
import {
  AbsenceReason, AttendanceLog, AuditLog, ApiKey, CalendarEntry, Camera, ClassGroup, ClassSession, LessonRegister, MAX_ID, Student, StudentPresence, User,
  WebhookDelivery, WebhookEndpoint,
} from '@attendance/shared';
import { can, isResourceId, NO_ROWS, rowScope, type AdminUser, type ResourceId } from '../admin/policy.js';

const ENTITIES: Record<ResourceId, EntityTarget<object>> = {
  Student, ClassGroup, ClassSession, Camera, AttendanceLog, StudentPresence, User, AuditLog, ApiKey, AbsenceReason, CalendarEntry, LessonRegister,
  WebhookEndpoint, WebhookDelivery,
};
/** Resource canonical names by lower case: Express routes case-insensitively, so the guard must too. */
const RESOURCE_BY_LOWER = new Map(Object.keys(ENTITIES).map((id) => [id.toLowerCase(), id as ResourceId]));

// Matched on the lower-cased path: every spelling Express (and so AdminJS) would serve.
const RESOURCE_ROUTE = /^\/(?:api\/)?resources\/([^/]+)(?:\/(?:actions\/([^/]+)(?:\/[^/]*)?|records\/([^/]+)\/([^/]+)|bulk\/([^/]+)|(search)(?:\/[^/]*)?))?\/?$/;
/** AdminJS routes that carry no resource data (pages check their own data through /api routes). */
const OPEN_ROUTES = /^\/(?:|login|logout|frontend\/assets\/.*|pages\/[^/]+|api\/pages\/[^/]+|api\/dashboard)\/?$/;

/** Whether a teacher's record lies inside their class groups or rooms (policy.rowScope, the data layer's rule). */
async function inScope(ds: DataSource, user: AdminUser, resource: ResourceId, recordId: string): Promise<boolean> {
  const scope = rowScope(resource, user);
  if (scope === null) return true;
  const id = Number(recordId);
  if (scope === NO_ROWS || !Number.isSafeInteger(id) || id < 1) return false;
  const where: Record<string, unknown> = { ...(scope as Record<string, unknown>) };
  where.id = where.id ? And(where.id as FindOperator<number>, Equal(id)) : id;
  return ds.getRepository(ENTITIES[resource]).exists({ where });
}

/**
 * In front of AdminJS: every resource page and API call is checked against the policy (and, for a
 * teacher, against their classes) before AdminJS sees it, so a hidden button is never the only
 * barrier. It fails closed: a logged-in request for a path it cannot read is refused, whatever the
 * case or encoding of the path. AdminJS itself answers a forbidden action with a 200 and a notice;
 * this answers 403. The data layer (ScopedResource) applies the same row scope behind it.
 */
export function adminGuard(ds: DataSource) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const user = req.session?.adminUser;
    if (!user) return next(); // AdminJS sends the visitor to the login page
    const path = req.path.toLowerCase();
    const forbid = (what: string) => {
      res.status(403);
      if (path.startsWith('/api/')) res.json({ error: 'forbidden', message: `${user.role} may not ${what}` });
      else res.type('text/plain').send(`403 Forbidden: a ${user.role} may not ${what}.`);
    };
    if (OPEN_ROUTES.test(path)) return next();
    const m = RESOURCE_ROUTE.exec(path);
    if (!m) return forbid(`open ${req.path}`);
    const [, rawResource, resourceAction, recordId, recordAction, bulkAction, search] = m;
    const resourceId = RESOURCE_BY_LOWER.get(decodeSafe(rawResource) ?? '');
    // Action names are camelCase in the policy: take them from the original path.
    const original = req.path.split('/');
    const action = canonicalAction(resourceAction ?? recordAction ?? bulkAction ?? (search ? 'search' : 'list'), original);
    try {
      if (!resourceId || !isResourceId(resourceId) || !can(user, resourceId, action)) return forbid(`${action} ${rawResource}`);
      if (recordId && !(await inScope(ds, user, resourceId, decodeSafe(recordId) ?? ''))) return forbid(`${action} this ${resourceId}`);
      const problem = badQuery(ds.getRepository(ENTITIES[resourceId]).metadata, req.query as Record<string, unknown>, recordId);
      if (problem) {
        res.status(400).json({ error: 'bad_request', message: problem });
        return;
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}

function decodeSafe(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** The policy's spelling of an action named in any case (`DELETEBIOMETRICS` → `deleteBiometrics`). */
function canonicalAction(lower: string, originalSegments: string[]): string {
  return originalSegments.find((seg) => seg.toLowerCase() === lower) ?? lower;
}

/** Filters that are not columns but that a resource handles itself (AttendanceLog's class filter). */
const VIRTUAL_FILTERS = new Set(['classGroupId']);
const INTEGER_TYPES = new Set(['integer', 'int', 'bigint', 'smallint', Number]);
const DATE_TYPES = new Set(['date', 'datetime', 'timestamp', 'timestamptz', 'timestamp with time zone', Date]);

/**
 * What AdminJS and its TypeORM adapter would turn into a 500 (a page that is not a number, a filter on
 * a column that does not exist, an id that is not one, `1e400` for an integer), refused as a 400 first.
 */
function badQuery(meta: EntityMetadata, query: Record<string, unknown>, recordId?: string): string | null {
  const column = (name: string) => meta.columns.find((c) => c.propertyName === name);
  const isId = (v: string) => /^\d{1,10}$/.test(v) && Number(v) >= 1 && Number(v) <= MAX_ID;
  if (recordId !== undefined && !isId(decodeSafe(recordId) ?? '')) return 'the record id must be a positive integer';
  for (const [key, raw] of Object.entries(query)) {
    if (typeof raw !== 'string') return `${key} is given twice or malformed`;
    if (key === 'page' && !/^\d{1,6}$/.test(raw)) return 'page must be a positive integer';
    if (key === 'perPage' && !(/^\d{1,3}$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 500)) return 'perPage must be 1 to 500';
    if (key === 'direction' && raw !== 'asc' && raw !== 'desc') return 'direction is asc or desc';
    if (key === 'sortBy' && !column(raw)) return `cannot sort by ${raw.slice(0, 40)}`;
    if (key === 'recordIds' && !raw.split(',').every(isId)) return 'recordIds must be positive integers';
    if (!key.startsWith('filters.')) continue;
    const name = key.slice('filters.'.length).split('~~')[0];
    const col = column(name);
    if (!col) {
      if (VIRTUAL_FILTERS.has(name) && (raw === '' || isId(raw))) continue;
      return `cannot filter by ${name.slice(0, 40)}`;
    }
    if (raw === '') continue;
    if (INTEGER_TYPES.has(col.type as string) && !isId(raw)) return `${name} must be a positive integer`;
    if (DATE_TYPES.has(col.type as string) && Number.isNaN(Date.parse(raw))) return `${name} must be a date`;
  }
  return null;
}
