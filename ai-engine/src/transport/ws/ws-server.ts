import uWS, { type TemplatedApp, type WebSocket } from 'uWebSockets.js';
import { UnauthorizedError, type Logger } from '@attendance/shared';
import type { AuthService } from '../../auth/auth.service.js';
import type { CameraAccess } from '../../cameras/camera-access.js';
import type { Publisher, SocketData } from './publisher.js';
import { authorizedUpgrade } from './upgrade.js';

const DEFAULT_TOPICS = ['attendance', 'camera/*', 'logs'];
const TOPIC = /^(attendance|logs|camera\/(\d{1,10}|\*)(\/(status|detections|\*))?)$/;
/** Topics one socket may hold: a live view needs a handful; more is a client trying to grow server memory. */
export const MAX_TOPICS_PER_SOCKET = 64;
/** Close codes: the token expired or its user lost access (the client logs in again). */
const CLOSE_UNAUTHORIZED = 4401;
/** setTimeout's limit (~24.8 days); later expiries are caught by the periodic re-check. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `/ws`: camera status, detections, attendance and logs, each socket within its user's scope
 * (Publisher). The token is checked at upgrade, the socket closes when it expires, and its user is
 * re-checked (still active, same role; a teacher's classes and rooms re-read) every `recheckMs`.
 */
export function wsServer(app: TemplatedApp, deps: { auth: AuthService; access: CameraAccess; publisher: Publisher; log: Logger; recheckMs: number }): void {
  const timers = new WeakMap<WebSocket<SocketData>, NodeJS.Timeout>();
  const end = (ws: WebSocket<SocketData>, reason: string) => {
    const d = ws.getUserData();
    if (d.closed) return;
    d.closed = true;
    ws.end(CLOSE_UNAUTHORIZED, reason.slice(0, 120));
  };

  app.ws<SocketData>('/ws', {
    compression: uWS.DISABLED,
    maxPayloadLength: 16 * 1024,
    // Attendance events are never dropped; a client this far behind is closed and reconnects.
    maxBackpressure: 8 * 1024 * 1024,
    closeOnBackpressureLimit: 1,
    idleTimeout: 60,
    sendPingsAutomatically: true,
    // The token is checked in `upgrade`: an unauthenticated client never gets a socket.
    upgrade: authorizedUpgrade<SocketData>(async ({ query, token }) => {
      const principal = await deps.auth.fromToken(token);
      if (principal.kind !== 'user' || principal.scope) throw new UnauthorizedError('this token cannot open the event stream');
      const requested = query.get('topics')?.split(',').filter(Boolean) ?? DEFAULT_TOPICS;
      const bad = requested.find((t) => !TOPIC.test(t));
      if (bad) throw new UnauthorizedError(`unknown topic ${bad.slice(0, 64)}`);
      if (requested.length > MAX_TOPICS_PER_SOCKET) throw new UnauthorizedError(`at most ${MAX_TOPICS_PER_SOCKET} topics per socket`);
      return { username: principal.username, role: principal.role, topics: new Set(requested), principal, scope: await deps.access.eventScope(principal) };
    }),
    open: (ws) => {
      deps.publisher.add(ws);
      const p = ws.getUserData().principal;
      if (p.kind === 'user' && p.expiresAt !== undefined) {
        timers.set(ws, setTimeout(() => end(ws, 'token expired'), Math.min(Math.max(0, p.expiresAt - Date.now()), MAX_TIMER_MS)));
      }
    },
    message: (ws, message) => {
      // {"subscribe": ["camera/3/*"]} or {"unsubscribe": [...]}: anything else is ignored.
      try {
        const msg = JSON.parse(Buffer.from(message).toString()) as { subscribe?: unknown; unsubscribe?: unknown };
        const topics = ws.getUserData().topics;
        for (const t of Array.isArray(msg.unsubscribe) ? msg.unsubscribe : []) topics.delete(String(t));
        for (const t of Array.isArray(msg.subscribe) ? msg.subscribe : []) {
          if (typeof t !== 'string' || !TOPIC.test(t)) continue;
          if (topics.size >= MAX_TOPICS_PER_SOCKET && !topics.has(t)) {
            ws.send(JSON.stringify({ error: 'too_many_topics', message: `at most ${MAX_TOPICS_PER_SOCKET} topics per socket` }), false);
            break;
          }
          topics.add(t);
        }
      } catch (err) {
        deps.log.debug({ err }, 'ignored a malformed WebSocket message');
      }
    },
    close: (ws) => {
      ws.getUserData().closed = true;
      clearTimeout(timers.get(ws));
      deps.publisher.remove(ws);
    },
  });

  // Long-lived sockets outlive a deactivation or a new timetable: re-check each user on a timer.
  const recheck = setInterval(() => {
    for (const ws of deps.publisher.all) {
      const d = ws.getUserData();
      if (d.closed) continue;
      void (async () => {
        await deps.auth.recheck(d.principal, true);
        const scope = await deps.access.eventScope(d.principal);
        if (!d.closed) d.scope = scope;
      })().catch((err: unknown) => {
        if (err instanceof UnauthorizedError) end(ws, err.message);
        else deps.log.error({ err }, 're-checking a WebSocket user failed');
      });
    }
  }, deps.recheckMs);
  recheck.unref();
}
