import type { HttpRequest, HttpResponse, us_socket_context_t } from 'uWebSockets.js';
import { UnauthorizedError, toErrorResponse } from '@attendance/shared';
import { statusLine } from '../http/router.js';

export interface UpgradeRequest { query: URLSearchParams; token: string; ip: string }

/**
 * Browsers cannot set headers on a WebSocket, so the token comes as `?token=` or as the subprotocol
 * pair `bearer, <token>` (echoed back as `bearer`).
 */
export function tokenFromUpgrade(query: URLSearchParams, protocolHeader: string): { token: string; protocol: string } {
  const fromQuery = query.get('token');
  if (fromQuery) return { token: fromQuery, protocol: '' };
  const parts = protocolHeader.split(',').map((p) => p.trim());
  const i = parts.indexOf('bearer');
  if (i >= 0 && parts[i + 1]) return { token: parts[i + 1], protocol: 'bearer' };
  throw new UnauthorizedError('WebSocket needs a token (?token= or Sec-WebSocket-Protocol: bearer, <token>)');
}

/**
 * The one way a WebSocket is opened: headers copied synchronously, onAborted before the first await,
 * the token and whatever `authorize` checks verified in `upgrade` (an unauthorised client never gets a
 * socket, only a JSON error), and the upgrade corked. `authorize` returns the socket's user data.
 */
export function authorizedUpgrade<T>(authorize: (req: UpgradeRequest) => Promise<T>) {
  return (res: HttpResponse, req: HttpRequest, context: us_socket_context_t): void => {
    const key = req.getHeader('sec-websocket-key');
    const protocolHeader = req.getHeader('sec-websocket-protocol');
    const extensions = req.getHeader('sec-websocket-extensions');
    const query = new URLSearchParams(req.getQuery() ?? '');
    const ip = Buffer.from(res.getRemoteAddressAsText()).toString();
    let aborted = false;
    res.onAborted(() => { aborted = true; });
    void (async () => {
      const { token, protocol } = tokenFromUpgrade(query, protocolHeader);
      const data = await authorize({ query, token, ip });
      if (aborted) return;
      res.cork(() => res.upgrade<T>(data, key, protocol, extensions, context));
    })().catch((err: unknown) => {
      const { status, body } = toErrorResponse(err);
      if (aborted) return;
      res.cork(() => res.writeStatus(statusLine(status)).writeHeader('Content-Type', 'application/json').end(JSON.stringify(body), true));
    });
  };
}
