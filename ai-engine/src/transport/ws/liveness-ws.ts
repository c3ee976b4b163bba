import uWS, { type TemplatedApp, type WebSocket } from 'uWebSockets.js';
import { AppError, ConflictError, UnprocessableError, toErrorResponse, type Logger } from '@attendance/shared';
import type { AuthService, Principal } from '../../auth/auth.service.js';
import type { LivenessService } from '../../liveness/liveness.service.js';
import { authorizedUpgrade } from './upgrade.js';

interface LivenessData { session: string; principal: Principal; ip: string; busy: boolean; closed: boolean; done: boolean }

/**
 * `/ws/liveness?session=<id>&token=<jwt>` (or subprotocol `bearer, <jwt>`): the registration modal sends
 * JPEG frames as binary messages and gets one JSON message per analysed frame:
 *   {type:'state', …session} on open;
 *   {type:'frame', status, step, steps_done, accepted, hint, faces, yaw, failure} per frame;
 *   {type:'result', status:'passed', student_id, templates, poses} or {type:'result', status:'failed'|'expired', failure, message}, then close.
 * A frame that arrives while the previous one is analysed is dropped (never queued): the client sends the
 * next one when it gets an answer. Text `{"type":"cancel"}` ends the session. Closing the socket mid-session
 * cancels it: sessions are single-use.
 */
export function livenessWs(app: TemplatedApp, deps: { auth: AuthService; liveness: LivenessService; log: Logger }): void {
  app.ws<LivenessData>('/ws/liveness', {
    compression: uWS.DISABLED,
    maxPayloadLength: 2 * 1024 * 1024,
    maxBackpressure: 1024 * 1024,
    idleTimeout: 60,
    sendPingsAutomatically: true,
    upgrade: authorizedUpgrade<LivenessData>(async ({ query, token, ip }) => {
      const principal = await deps.auth.fromToken(token);
      const session = query.get('session') ?? '';
      await deps.liveness.open(principal, session);
      return { session, principal, ip, busy: false, closed: false, done: false };
    }),
    open: (ws) => {
      const d = ws.getUserData();
      void deps.liveness.status(d.principal, d.session).then((view) => send(ws, { type: 'state', ...view }), (err: unknown) => fail(ws, err, deps.log));
    },
    message: (ws, message, isBinary) => {
      const d = ws.getUserData();
      if (d.done) return;
      if (!isBinary) {
        if (isCancel(message)) void deps.liveness.cancel(d.session).then(() => end(ws, { type: 'result', status: 'failed', failure: 'cancelled' }), (err: unknown) => fail(ws, err, deps.log));
        return;
      }
      if (d.busy) return;
      d.busy = true;
      // uWS reuses the message buffer after this handler returns: copy it.
      const frame = Buffer.from(message.slice(0));
      void (async () => {
        const r = await deps.liveness.frame(d.principal, d.session, frame);
        send(ws, { type: 'frame', ...r });
        if (r.status === 'passed') {
          const stored = await deps.liveness.register(d.principal, d.session, d.ip).catch((err: unknown) => {
            // The face already belongs to another student: a verdict for the modal, not a server fault.
            if (err instanceof ConflictError) return { failure: 'duplicate', message: err.message, details: err.details };
            throw err;
          });
          if ('failure' in stored) end(ws, { type: 'result', status: 'failed', ...stored });
          else end(ws, { type: 'result', status: 'passed', student_id: stored.student_id, templates: stored.templates, poses: stored.poses });
        } else if (r.status !== 'pending') end(ws, { type: 'result', status: r.status, failure: r.failure });
      })().catch((err: unknown) => {
        // A frame that is not an image is skipped; the session goes on.
        if (err instanceof UnprocessableError) send(ws, { type: 'error', error: 'unprocessable', message: err.message });
        else fail(ws, err, deps.log);
      }).finally(() => { d.busy = false; });
    },
    close: (ws) => {
      const d = ws.getUserData();
      d.closed = true;
      if (!d.done) void deps.liveness.cancel(d.session).catch((err: unknown) => deps.log.error({ err, session: d.session }, 'cancelling a liveness session failed'));
    },
  });
}

function isCancel(message: ArrayBuffer): boolean {
  try {
    return (JSON.parse(Buffer.from(message).toString()) as { type?: unknown }).type === 'cancel';
  } catch {
    return false; // not JSON: not a command
  }
}

function send(ws: WebSocket<LivenessData>, msg: object): void {
  if (!ws.getUserData().closed) ws.cork(() => ws.send(JSON.stringify(msg), false));
}

function end(ws: WebSocket<LivenessData>, msg: object): void {
  const d = ws.getUserData();
  d.done = true;
  send(ws, msg);
  if (!d.closed) ws.end(1000, 'liveness session finished');
}

/** Any other error ends the stream with its code (e.g. `consent_required`); an unexpected one is logged once. */
function fail(ws: WebSocket<LivenessData>, err: unknown, log: Logger): void {
  const { body } = toErrorResponse(err);
  if (!(err instanceof AppError)) log.error({ err, session: ws.getUserData().session }, 'liveness frame failed');
  end(ws, { type: 'result', status: 'failed', failure: body.error, message: body.message });
}
