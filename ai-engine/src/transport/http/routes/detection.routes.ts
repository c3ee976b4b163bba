import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { ForbiddenError, writeAudit } from '@attendance/shared';
import { auditActor, type Principal } from '../../../auth/auth.service.js';
import type { CameraAccess } from '../../../cameras/camera-access.js';
import type { CameraLeases } from '../../../cameras/camera-leases.js';
import type { CameraManager } from '../../../cameras/camera-manager.js';
import type { LaptopDirectory } from '../../../cameras/laptop-directory.js';
import type { LaptopSession } from '../../../cameras/laptop-session.js';
import { zId, type HttpRouter, type RequestContext } from '../router.js';

const CameraBody = z.object({ camera_id: zId() });
const LaptopStart = z.object({ camera_id: zId().nullish() });
const LaptopStop = z.object({ session: z.string().uuid() });

/**
 * Detection controls. A teacher may only drive cameras in rooms where a class they teach is scheduled.
 * Start and stop go through the leases: whichever engine receives them, the camera's owner acts.
 */
export function detectionRoutes(router: HttpRouter, cameras: CameraManager, leases: CameraLeases, laptops: LaptopDirectory, access: CameraAccess, db: DataSource): void {
  const audit = (action: string, ctx: RequestContext, entityId: number | string | null) =>
    writeAudit(db, { action, actor: auditActor(ctx.principal), entity: 'camera', entityId: entityId ?? undefined, ip: ctx.ip });

  router.post('/api/v1/detection/start', {}, async (ctx) => {
    const { camera_id } = ctx.json(CameraBody);
    await access.check(ctx.principal, camera_id);
    const camera = await leases.start(camera_id);
    await audit('detection.started', ctx, camera_id);
    return { body: { camera } };
  });

  router.post('/api/v1/detection/stop', {}, async (ctx) => {
    const { camera_id } = ctx.json(CameraBody);
    await access.check(ctx.principal, camera_id);
    const camera = await leases.stop(camera_id);
    await audit('detection.stopped', ctx, camera_id);
    return { body: { camera } };
  });

  router.get('/api/v1/detection/status', {}, async (ctx) => {
    const allowed = await access.allowed(ctx.principal);
    const laptops = cameras.laptopSessions.filter((s) => mayUse(ctx.principal, s));
    const statuses = await cameras.status(allowed);
    const owners = await leases.owners(statuses.map((c) => c.camera_id));
    const here = cameras.runningIds.filter((id) => allowed === 'all' || allowed.has(id));
    return { body: { engine: leases.engineId, running_here: here, cameras: statuses.map((c) => ({ ...c, engine: owners.get(c.camera_id) ?? null })), laptop_sessions: laptops.map(laptopJson) } };
  });

  router.post('/api/v1/detection/laptop-camera/start', {}, async (ctx) => {
    const { camera_id } = ctx.json(LaptopStart);
    if (camera_id) await access.check(ctx.principal, camera_id);
    const session = cameras.startLaptop(camera_id ?? null, username(ctx.principal));
    await laptops.issue(session); // the socket may reach another engine
    await audit('detection.laptop_started', ctx, camera_id ?? null);
    return { status: 201, body: { session: session.id, camera_id: session.cameraId, ws_path: `/ws/laptop-camera?session=${session.id}` } };
  });

  router.post('/api/v1/detection/laptop-camera/stop', {}, async (ctx) => {
    const { session } = ctx.json(LaptopStop);
    const t = await laptops.ticket(session);
    if (t && t.engine !== laptops.engineId) {
      // Taken over by another engine (its socket reached that one): that engine stops it.
      if (!mayUse(ctx.principal, t)) throw new ForbiddenError('not your laptop-camera session');
      await laptops.stopElsewhere(session);
      await audit('detection.laptop_stopped', ctx, t.cameraId);
      return { body: { session, camera_id: t.cameraId, username: t.username, state: 'stopped', engine: t.engine } };
    }
    const s = cameras.laptopEvenEnded(session);
    if (s && !mayUse(ctx.principal, s)) throw new ForbiddenError('not your laptop-camera session');
    const stopped = laptopJson(await cameras.stopLaptop(session));
    await audit('detection.laptop_stopped', ctx, stopped.camera_id);
    return { body: stopped };
  });
}

const username = (p: Principal | null) => (p?.kind === 'user' ? p.username : '');

/** Admin and staff may see and stop any session; a teacher only their own. */
export function mayUse(p: Principal | null, s: Pick<LaptopSession, 'username'>): boolean {
  return p?.kind === 'user' && !p.scope && (p.role === 'admin' || p.role === 'staff' || p.username === s.username);
}

const laptopJson = (s: LaptopSession) => ({
  session: s.id, camera_id: s.cameraId, username: s.username, state: s.isClosed ? 'stopped' : 'running',
  fps: Math.round(s.stats.fps * 10) / 10, faces: s.stats.lastFaces, marks: s.stats.totalMarks, started_at: s.startedAt.toISOString(),
});
