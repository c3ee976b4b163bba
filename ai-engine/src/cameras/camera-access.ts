import { In, type DataSource } from 'typeorm';
import { Camera, ClassGroup, ClassSession, ForbiddenError, NotFoundError } from '@attendance/shared';
import type { Principal } from '../auth/auth.service.js';

/**
 * Who may start, stop and watch which camera: admin and staff any; a teacher only cameras in rooms where
 * a session of a class group they teach is scheduled (the camera of the session, or any camera in its room).
 */
export class CameraAccess {
  constructor(private readonly db: DataSource) {}

  /** The camera ids this principal may use, or 'all'. */
  async allowed(principal: Principal | null): Promise<Set<number> | 'all'> {
    if (!principal || principal.kind !== 'user') return new Set();
    if (principal.role === 'admin' || principal.role === 'staff') return 'all';
    const groups = await this.db.getRepository(ClassGroup).find({ select: { id: true }, where: { teacherId: principal.userId } });
    if (!groups.length) return new Set();
    const sessions = await this.db.getRepository(ClassSession).find({ select: { cameraId: true }, where: { classGroupId: In(groups.map((g) => g.id)) } });
    const ids = [...new Set(sessions.map((s) => s.cameraId).filter((id): id is number => id !== null))];
    if (!ids.length) return new Set();
    const cams = await this.db.getRepository(Camera).find({ select: { id: true, room: true }, where: { id: In(ids) } });
    const rooms = cams.map((c) => c.room).filter((r): r is string => !!r);
    const sameRoom = rooms.length ? await this.db.getRepository(Camera).find({ select: { id: true }, where: { room: In(rooms) } }) : [];
    return new Set([...ids, ...sameRoom.map((c) => c.id)]);
  }

  /** The camera, if it exists and the principal may use it (404 before 403 only for those who may see all). */
  async check(principal: Principal | null, cameraId: number): Promise<Camera> {
    const allowed = await this.allowed(principal);
    if (allowed !== 'all' && !allowed.has(cameraId)) throw new ForbiddenError(`camera ${cameraId} is not in a room you teach in`);
    const camera = await this.db.getRepository(Camera).findOneBy({ id: cameraId });
    if (!camera) throw new NotFoundError(`no camera ${cameraId}`);
    return camera;
  }
}
