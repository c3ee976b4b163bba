import { In, type FindOptionsWhere } from 'typeorm';
import type { Role } from '@attendance/shared';

/** What the session holds about the logged-in user; refreshed from the database on every request. */
export interface AdminUser {
  /** AdminJS shows `email` in the top bar; here it is the username. */
  email: string;
  title: string;
  userId: number;
  role: Role;
  /** For teachers: the class groups they teach and the cameras of those groups' rooms. */
  classGroupIds: number[];
  cameraIds: number[];
}

export type ResourceId = 'Student' | 'ClassGroup' | 'ClassSession' | 'Camera' | 'AttendanceLog' | 'StudentPresence' | 'User' | 'AuditLog' | 'ApiKey'
  | 'AbsenceReason' | 'CalendarEntry' | 'LessonRegister' | 'WebhookEndpoint' | 'WebhookDelivery';

const READ = ['list', 'show', 'search'];
const WRITE = [...READ, 'new', 'edit', 'delete', 'bulkDelete'];

/**
 * The one table of who may do what. Both the AdminJS `isAccessible` callbacks (what the UI shows)
 * and the request guard in front of AdminJS (what the server answers 403 to) read it.
 */
const POLICY: Record<ResourceId, Partial<Record<Role, readonly string[]>>> = {
  Student: {
    admin: [...WRITE, 'enrollPhotos', 'registerFace', 'deleteBiometrics', 'recordConsent', 'withdrawConsent', 'exportData'],
    staff: [...WRITE, 'enrollPhotos', 'registerFace', 'deleteBiometrics', 'recordConsent', 'withdrawConsent', 'exportData'],
    teacher: READ,
  },
  ClassGroup: { admin: WRITE, staff: WRITE, teacher: READ },
  ClassSession: { admin: WRITE, staff: WRITE, teacher: READ },
  Camera: {
    admin: [...WRITE, 'startDetection', 'stopDetection', 'liveView'],
    staff: [...WRITE, 'startDetection', 'stopDetection', 'liveView'],
    teacher: [...READ, 'startDetection', 'stopDetection', 'liveView'],
  },
  // Teachers mark by hand (their own class groups only): the path for students without biometric consent.
  AttendanceLog: { admin: [...WRITE, 'exportCsv'], staff: [...READ, 'new', 'edit', 'exportCsv'], teacher: [...READ, 'new', 'exportCsv'] },
  StudentPresence: { admin: READ, staff: READ, teacher: READ },
  // Staff pick a class group's teacher from GET /api/teachers (teachers' names only), never from the users.
  User: { admin: WRITE },
  AuditLog: { admin: READ },
  ApiKey: { admin: [...READ, 'edit', 'delete', 'createKey', 'revoke'] },
  // The school edits its reasons; a reason is retired (Active off), never deleted, so old absences keep it.
  AbsenceReason: { admin: [...READ, 'new', 'edit'], staff: [...READ, 'new', 'edit'] },
  CalendarEntry: { admin: WRITE, staff: WRITE },
  // A lesson's register (the panel's Register page, /api/register): teachers take their own; a confirmed one is reopened by staff.
  LessonRegister: { admin: ['take', 'reopen'], staff: ['take', 'reopen'], teacher: ['take'] },
  // Webhooks carry students' names out of the school: admins only.
  WebhookEndpoint: { admin: WRITE },
  WebhookDelivery: { admin: READ },
};

export function isResourceId(id: string): id is ResourceId {
  return Object.hasOwn(POLICY, id);
}

export function can(user: AdminUser | undefined | null, resource: ResourceId, action: string): boolean {
  return !!user && (POLICY[resource][user.role] ?? []).includes(action);
}

/** Teachers see only their own class groups; everyone else sees the whole school (null = no limit). */
export function groupScope(user: AdminUser): number[] | null {
  return user.role === 'teacher' ? user.classGroupIds : null;
}

/** `In([])` is not valid SQL everywhere: an empty scope matches the impossible id instead. */
export function nonEmpty(ids: number[]): number[] {
  return ids.length ? ids : [-1];
}

/** "No row at all" for a user who may not read a resource. */
export const NO_ROWS = 'none' as const;

/**
 * Which rows of a resource a user may read, as a TypeORM condition (null = every row). The data layer
 * (ScopedResource.findOne/findMany) and the request guard both read this one table, so a record outside
 * a teacher's classes is unreachable however the URL is spelled.
 */
export function rowScope(resource: ResourceId, user: AdminUser): FindOptionsWhere<never> | null | typeof NO_ROWS {
  if (user.role !== 'teacher') return null;
  const groups = In(nonEmpty(user.classGroupIds));
  switch (resource) {
    case 'Student': case 'ClassSession': return { classGroupId: groups } as never;
    case 'ClassGroup': return { id: groups } as never;
    case 'Camera': return { id: In(nonEmpty(user.cameraIds)) } as never;
    case 'AttendanceLog': case 'StudentPresence': return { student: { classGroupId: groups } } as never;
    // A class group's teacher reference shows the teacher themself, no one else.
    case 'User': return { id: user.userId } as never;
    default: return NO_ROWS;
  }
}
