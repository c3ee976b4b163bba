import { In, type DataSource } from 'typeorm';
import { Camera, ForbiddenError, NotFoundError, Student, teacherScope } from '@attendance/shared';
import type { Principal } from '../auth/auth.service.js';
import type { EventScope } from '../transport/ws/publisher.js';

/**
 * Who may start, stop and watch which camera: admin and staff any; a teacher the cameras of the rooms
 * their class groups are timetabled in (`teacherScope`, the same definition the panel uses); a device
 * key only its own camera.
 */
export class CameraAccess {
  constructor(private readonly db: DataSource) {}

  /** The camera ids this principal may use, or 'all'. */
  async allowed(principal: Principal | null): Promise<Set<number> | 'all'> {
    if (!principal) return new Set();
    if (principal.kind === 'device') return new Set(principal.cameraId ? [principal.cameraId] : []);
    if (principal.scope) return new Set();
    if (principal.role === 'admin' || principal.role === 'staff') return 'all';
    return new Set((await teacherScope(this.db, principal.userId)).cameraIds);
  }

  /** The camera, if it exists and the principal may use it (404 before 403 only for those who may see all). */
  async check(principal: Principal | null, cameraId: number): Promise<Camera> {
    const allowed = await this.allowed(principal);
    if (allowed !== 'all' && !allowed.has(cameraId)) throw new ForbiddenError(`camera ${cameraId} is not in a room you teach in`);
    const camera = await this.db.getRepository(Camera).findOneBy({ id: cameraId });
    if (!camera) throw new NotFoundError(`no camera ${cameraId}`);
    return camera;
  }

  /** What the event stream may show this principal: everything for admin and staff; a teacher's cameras and students. */
  async eventScope(principal: Principal): Promise<EventScope> {
    if (principal.kind === 'user' && !principal.scope && (principal.role === 'admin' || principal.role === 'staff')) return { cameras: 'all', students: 'all' };
    if (principal.kind !== 'user' || principal.scope) return { cameras: new Set(), students: new Set() };
    const { classGroupIds, cameraIds } = await teacherScope(this.db, principal.userId);
    const students = classGroupIds.length ? await this.db.getRepository(Student).find({ select: { id: true }, where: { classGroupId: In(classGroupIds) } }) : [];
    return { cameras: new Set(cameraIds), students: new Set(students.map((s) => s.id)) };
  }
}
