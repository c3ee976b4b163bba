import uWS, { type TemplatedApp } from 'uWebSockets.js';
import { UnauthorizedError, type Logger } from '@attendance/shared';
import type { AuthService } from '../../auth/auth.service.js';
import type { Publisher, SocketData } from './publisher.js';
import { authorizedUpgrade } from './upgrade.js';

const DEFAULT_TOPICS = ['attendance', 'camera/*', 'logs'];
const TOPIC = /^(attendance|logs|camera\/(\d+|\*)(\/(status|detections|\*))?)$/;

export function wsServer(app: TemplatedApp, deps: { auth: AuthService; publisher: Publisher; log: Logger }): void {
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
      if (bad) throw new UnauthorizedError(`unknown topic ${bad}`);
      return { username: principal.username, role: principal.role, topics: new Set(requested) };
    }),
    open: (ws) => deps.publisher.add(ws),
    message: (ws, message) => {
      // {"subscribe": ["camera/3/*"]} or {"unsubscribe": [...]}: anything else is ignored.
      try {
        const msg = JSON.parse(Buffer.from(message).toString()) as { subscribe?: string[]; unsubscribe?: string[] };
        const topics = ws.getUserData().topics;
        for (const t of msg.subscribe ?? []) if (TOPIC.test(t)) topics.add(t);
        for (const t of msg.unsubscribe ?? []) topics.delete(t);
      } catch (err) {
        deps.log.debug({ err }, 'ignored a malformed WebSocket message');
      }
    },
    close: (ws) => deps.publisher.remove(ws),
  });
}
