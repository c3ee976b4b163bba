import uWS, { type TemplatedApp } from 'uWebSockets.js';
import { NotFoundError, UnauthorizedError, type Logger } from '@attendance/shared';
import type { AuthService, Principal } from '../../auth/auth.service.js';
import type { CameraManager } from '../../cameras/camera-manager.js';
import type { FrameResult } from '../../cameras/frame-analyzer.js';
import type { LaptopDirectory } from '../../cameras/laptop-directory.js';
import { mayUse } from '../http/routes/detection.routes.js';
import { authorizedUpgrade } from './upgrade.js';

interface LaptopData { session: string; principal: Principal; detach?: () => void; closed?: boolean; timers?: NodeJS.Timeout[] }

/** Results for a client this far behind are skipped (marks are also on the `attendance` topic). */
const RESULT_BACKLOG_BYTES = 256 * 1024;

/**
 * `/ws/laptop-camera?session=<id>&token=<jwt>`: the teacher's browser sends JPEG frames as binary
 * messages and gets one JSON result per analysed frame. Token and session ownership are checked in
 * `upgrade`, so an unauthenticated client never gets a socket.
 */
export function laptopCameraWs(app: TemplatedApp, deps: { auth: AuthService; cameras: CameraManager; laptops: LaptopDirectory; log: Logger; recheckMs: number }): void {
  app.ws<LaptopData>('/ws/laptop-camera', {
    compression: uWS.DISABLED,
    maxPayloadLength: 2 * 1024 * 1024,
    maxBackpressure: 1024 * 1024,
    idleTimeout: 60,
    sendPingsAutomatically: true,
    upgrade: authorizedUpgrade<LaptopData>(async ({ query, token }) => {
      const principal = await deps.auth.fromToken(token);
      const id = query.get('session') ?? '';
      // Started on another engine: taken over here from its ticket (after the access check).
      const session = deps.cameras.laptop(id) ?? await deps.laptops.ticket(id);
      if (!session) throw new NotFoundError(`no laptop-camera session ${id}`);
      if (!mayUse(principal, session)) throw new UnauthorizedError('this token cannot stream to that session');
      if (!(await deps.laptops.adopt(id))) throw new NotFoundError(`laptop-camera session ${id} has ended`);
      return { session: id, principal };
    }),
    open: (ws) => {
      const session = deps.cameras.laptop(ws.getUserData().session);
      if (!session) { ws.end(4404, 'session ended'); return; }
      // A teacher's camera stream lives only as long as the token and the account: closed at expiry and
      // when a re-check finds the user deactivated or demoted (the session then ends with the socket).
      const d = ws.getUserData();
      const end = (reason: string) => { if (!d.closed) { d.closed = true; ws.end(4401, reason.slice(0, 120)); } };
      const p = d.principal;
      d.timers = [setInterval(() => { void deps.auth.recheck(p, true).catch((err: unknown) => end(err instanceof Error ? err.message : 'access ended')); }, deps.recheckMs)];
      if (p.kind === 'user' && p.expiresAt !== undefined) d.timers.push(setTimeout(() => end('token expired'), Math.min(Math.max(0, p.expiresAt - Date.now()), 2 ** 31 - 1)));
      let open = true;
      session.onResult((r) => {
        if (!open || ('faces' in r && ws.getBufferedAmount() > RESULT_BACKLOG_BYTES)) return;
        ws.send(JSON.stringify('error' in r ? { type: 'error', message: r.error } : resultJson(r)), false);
      });
      ws.getUserData().detach = () => { open = false; session.onResult(null); };
    },
    message: (ws, message, isBinary) => {
      const session = deps.cameras.laptop(ws.getUserData().session);
      if (!session || session.isClosed) { ws.end(4404, 'session ended'); return; }
      if (!isBinary) { deps.log.debug({ session: session.id }, 'ignored a text message on the laptop-camera socket'); return; }
      // uWS reuses the message buffer after this handler returns: copy it.
      session.submit(Buffer.from(message.slice(0)));
    },
    // The browser is gone: the session ends with its socket (it no longer holds a slot or a tracker).
    close: (ws) => {
      const d = ws.getUserData();
      d.closed = true;
      for (const t of d.timers ?? []) clearTimeout(t);
      d.detach?.();
      if (deps.cameras.laptop(d.session)) void deps.cameras.stopLaptop(d.session).catch((err: unknown) => deps.log.error({ err, session: d.session }, 'ending a laptop-camera session failed'));
    },
  });
}

const resultJson = (r: FrameResult) => ({
  type: 'result',
  faces: r.faces.map((f) => ({ box: f.box, track: f.trackId, verdict: f.verdict, student_id: f.studentId, name: f.name, similarity: f.similarity, real: f.real })),
  marks: r.marks.map((m) => (m.marked ? { marked: true, student_id: m.record.studentId, status: m.record.status, id: m.record.id } : m)),
});
