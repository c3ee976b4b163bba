import { z } from 'zod';
import { LIVENESS_SCOPE, type LivenessService } from '../../../liveness/liveness.service.js';
import { LIVENESS_STEPS } from '../../../liveness/liveness-session.js';
import { zId, type Access, type HttpRouter } from '../router.js';

/** Staff, or the student's own scoped token (the service checks that its studentId is the session's). */
const ACCESS: Access = { roles: ['admin', 'staff'], scopes: [LIVENESS_SCOPE] };
/** One webcam frame as base64 JPEG: 640×480 is about 50 kB. */
const FRAME_BODY_LIMIT = 2 * 1024 * 1024;

const CreateBody = z.object({ student_id: zId() });
const SessionBody = z.object({ session_id: z.string().uuid() });
const DetectBody = SessionBody.extend({
  /** The step the client shows; the engine judges against its own current step and says which that is. */
  position: z.enum(LIVENESS_STEPS).optional(),
  image: z.string().min(1),
});

export function livenessRoutes(router: HttpRouter, liveness: LivenessService): void {
  router.post('/api/v1/liveness/session', ACCESS, async (ctx) => {
    const { student_id } = ctx.json(CreateBody);
    return { status: 201, body: await liveness.create(ctx.principal, student_id, ctx.ip) };
  });
  router.post('/api/v1/liveness/detect', { ...ACCESS, bodyLimit: FRAME_BODY_LIMIT }, async (ctx) => {
    const { session_id, image } = ctx.json(DetectBody);
    return { body: await liveness.frame(ctx.principal, session_id, image) };
  });
  router.post('/api/v1/liveness/verify', ACCESS, async (ctx) => {
    const { session_id } = ctx.json(SessionBody);
    return { body: await liveness.status(ctx.principal, session_id) };
  });
  router.post('/api/v1/liveness/register-student', ACCESS, async (ctx) => {
    const { session_id } = ctx.json(SessionBody);
    return { status: 201, body: await liveness.register(ctx.principal, session_id, ctx.ip) };
  });
}
