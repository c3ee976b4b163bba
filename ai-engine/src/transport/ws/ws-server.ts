import uWS, { type TemplatedApp } from 'uWebSockets.js';
import { toErrorResponse, UnauthorizedError, type Logger } from '@attendance/shared';
import type { AuthService } from '../../auth/auth.service.js';
import { statusLine } from '../http/router.js';
import type { Publisher, SocketData } from './publisher.js';

const DEFAULT_TOPICS = ['attendance', 'camera/*', 'logs'];
const TOPIC = /^(attendance|logs|camera\/(\d+|\*)(\/(status|detections|\*))?)$/;

/**
 * Browsers cannot set headers on a WebSocket, so the token comes as `?token=` or as the subprotocol
 * pair `bearer, <token>` (echoed back as `bearer`). It is checked in `upgrade`: an unauthenticated
 * client never gets a socket.
 */
export function tokenFromUpgrade(query: URLSearchParams, protocolHeader: string): { token: string; protocol: string } {
  const fromQuery = query.get('token');
  if (fromQuery) return { token: fromQuery, protocol: '' };
  const parts = protocolHeader.split(',').map((p) => p.trim());
  const i = parts.indexOf('bearer');
  if (i >= 0 && parts[i + 1]) return { token: parts[i + 1], protocol: 'bearer' };
  throw new UnauthorizedError('WebSocket needs a token (?token= or Sec-WebSocket-Protocol: bearer, <token>)');
}

export function wsServer(app: TemplatedApp, deps: { auth: AuthService; publisher: Publisher; log: Logger }): void {
  app.ws<SocketData>('/ws', {
    compression: uWS.DISABLED,
    maxPayloadLength: 16 * 1024,
    // Attendance events are never dropped; a client this far behind is closed and reconnects.
    maxBackpressure: 8 * 1024 * 1024,
    closeOnBackpressureLimit: 1,
    idleTimeout: 60,
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => {
      const key = req.getHeader('sec-websocket-key');
      const protocolHeader = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      const query = new URLSearchParams(req.getQuery() ?? '');
      let aborted = false;
      res.onAborted(() => { aborted = true; });
      void (async () => {
        const { token, protocol } = tokenFromUpgrade(query, protocolHeader);
        const principal = await deps.auth.fromToken(token);
        if (principal.kind !== 'user' || principal.scope) throw new UnauthorizedError('this token cannot open the event stream');
        const requested = query.get('topics')?.split(',').filter(Boolean) ?? DEFAULT_TOPICS;
        const bad = requested.find((t) => !TOPIC.test(t));
        if (bad) throw new UnauthorizedError(`unknown topic ${bad}`);
        if (aborted) return;
        res.cork(() => res.upgrade<SocketData>({ username: principal.username, role: principal.role, topics: new Set(requested) }, key, protocol, extensions, context));
      })().catch((err: unknown) => {
        const { status, body } = toErrorResponse(err);
        if (aborted) return;
        res.cork(() => res.writeStatus(statusLine(status)).writeHeader('Content-Type', 'application/json').end(JSON.stringify(body), true));
      });
    },
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
