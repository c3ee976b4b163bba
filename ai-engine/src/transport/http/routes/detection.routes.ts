import { z } from 'zod';
import { ForbiddenError } from '@attendance/shared';
import type { Principal } from '../../../auth/auth.service.js';
import type { CameraAccess } from '../../../cameras/camera-access.js';
import type { CameraManager } from '../../../cameras/camera-manager.js';
import type { LaptopSession } from '../../../cameras/laptop-session.js';
import type { HttpRouter } from '../router.js';

const CameraBody = z.object({ camera_id: z.coerce.number().int().positive() });
const LaptopStart = z.object({ camera_id: z.coerce.number().int().positive().nullish() });
const LaptopStop = z.object({ session: z.string().uuid() });

/** Detection controls. A teacher may only drive cameras in rooms where a class they teach is scheduled. */
export function detectionRoutes(router: HttpRouter, cameras: CameraManager, access: CameraAccess): void {
  router.post('/api/v1/detection/start', {}, async (ctx) => {
    const { camera_id } = ctx.json(CameraBody);
    await access.check(ctx.principal, camera_id);
    return { body: { camera: await cameras.start(camera_id) } };
  });

  router.post('/api/v1/detection/stop', {}, async (ctx) => {
    const { camera_id } = ctx.json(CameraBody);
    await access.check(ctx.principal, camera_id);
    return { body: { camera: await cameras.stop(camera_id) } };
  });

  router.get('/api/v1/detection/status', {}, async (ctx) => {
    const allowed = await access.allowed(ctx.principal);
    const laptops = cameras.laptopSessions.filter((s) => mayUse(ctx.principal, s));
    return { body: { cameras: await cameras.status(allowed), laptop_sessions: laptops.map(laptopJson) } };
  });

  router.post('/api/v1/detection/laptop-camera/start', {}, async (ctx) => {
    const { camera_id } = ctx.json(LaptopStart);
    if (camera_id) await access.check(ctx.principal, camera_id);
    const session = cameras.startLaptop(camera_id ?? null, username(ctx.principal));
    return { status: 201, body: { session: session.id, camera_id: session.cameraId, ws_path: `/ws/laptop-camera?session=${session.id}` } };
  });

  router.post('/api/v1/detection/laptop-camera/stop', {}, async (ctx) => {
    const { session } = ctx.json(LaptopStop);
    const s = cameras.laptop(session);
    if (s && !mayUse(ctx.principal, s)) throw new ForbiddenError('not your laptop-camera session');
    return { body: laptopJson(await cameras.stopLaptop(session)) };
  });
}

const username = (p: Principal | null) => (p?.kind === 'user' ? p.username : '');

/** Admin and staff may see and stop any session; a teacher only their own. */
export function mayUse(p: Principal | null, s: LaptopSession): boolean {
  return p?.kind === 'user' && !p.scope && (p.role === 'admin' || p.role === 'staff' || p.username === s.username);
}

const laptopJson = (s: LaptopSession) => ({
  session: s.id, camera_id: s.cameraId, username: s.username, state: s.isClosed ? 'stopped' : 'running',
  fps: Math.round(s.stats.fps * 10) / 10, faces: s.stats.lastFaces, marks: s.stats.totalMarks, started_at: s.startedAt.toISOString(),
});
