import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { NextFunction, Request, Response } from 'express';

/** Where the panel's pages reach the engine when PUBLIC_ENGINE_URL is not set: the admin server's own origin. */
export const ENGINE_PROXY_PATH = '/engine';

/**
 * What a browser may reach through the proxy: the engine routes the panel's pages use (JSON API, MJPEG
 * previews, WebSockets). Engine log-ins are left out: every caller would share the proxy's address, so one
 * person's failed attempts would pause everyone's.
 */
const FORWARDED = /^\/(api\/v1\/(?!auth\/)|stream\/|ws(\/|\?|$))/;
/** Browser credentials for the admin server stay there; the engine authenticates its own bearer tokens. */
const DROPPED = new Set(['cookie', 'origin', 'referer', 'host', 'connection', 'upgrade', 'keep-alive', 'proxy-connection', 'transfer-encoding']);

function upstreamHeaders(headers: http.IncomingHttpHeaders, target: URL): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = { host: target.host };
  for (const [k, v] of Object.entries(headers)) if (!DROPPED.has(k) && v !== undefined) out[k] = v;
  return out;
}

const engineUrl = (engine: URL, path: string) => new URL(path, engine);

/**
 * The engine's browser routes under `/engine` on the admin server's origin. Browsers then need no second
 * address, no CORS and no second certificate: over HTTPS the whole panel (camera pages included) is one
 * secure origin, and the engine itself can stay on the loopback.
 */
export function engineProxy(engineBase: string) {
  const engine = new URL(engineBase);
  const client = engine.protocol === 'https:' ? https : http;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!FORWARDED.test(req.url)) return next();
    const upstream = client.request(engineUrl(engine, req.url), { method: req.method, headers: upstreamHeaders(req.headers, engine) }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.status(502).json({ error: 'engine_unreachable', message: 'The recognition engine is not reachable from the admin server. Is it running?' });
      else res.destroy();
    });
    // A viewer leaving (an MJPEG preview closed) ends the engine's stream too.
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  };
}

/** WebSocket upgrades under `/engine/ws…`, spliced through to the engine byte for byte after the handshake. */
export function engineUpgrade(engineBase: string) {
  const engine = new URL(engineBase);
  return (req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean => {
    const url = req.url ?? '';
    if (!url.startsWith(`${ENGINE_PROXY_PATH}/`) || !FORWARDED.test(url.slice(ENGINE_PROXY_PATH.length))) return false;
    const port = Number(engine.port || (engine.protocol === 'https:' ? 443 : 80));
    const upstream = engine.protocol === 'https:' ? tls.connect(port, engine.hostname, { servername: engine.hostname }) : net.connect(port, engine.hostname);
    const target = engineUrl(engine, url.slice(ENGINE_PROXY_PATH.length));
    upstream.once(engine.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      const headers = { ...upstreamHeaders(req.headers, engine), connection: 'Upgrade', upgrade: String(req.headers.upgrade ?? 'websocket') };
      const lines = Object.entries(headers).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${k}: ${String(x)}`));
      upstream.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    const end = () => { upstream.destroy(); socket.destroy(); };
    upstream.on('error', () => {
      if (socket.writable) socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"error":"engine_unreachable","message":"The recognition engine is not reachable."}');
      end();
    });
    socket.on('error', end);
    socket.on('close', end);
    return true;
  };
}
