import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { NextFunction, Request, Response } from 'express';
import type { Config } from '@attendance/shared';
import { engineUpgrade } from './routes/engine-proxy.js';
import type { TlsFiles } from './tls.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * The admin app's servers: plain HTTP (ADMIN_PORT: this machine, health checks) and, when a certificate is
 * configured, HTTPS (HTTPS_PORT: the school network, where browsers allow cameras only on a secure origin).
 * Both pass the engine's WebSocket upgrades through, like its HTTP routes.
 */
export function createAdminServers(app: Handler, config: Pick<Config, 'ENGINE_URL'>, tlsFiles: TlsFiles | null): { plain: http.Server; secure: https.Server | null } {
  const upgrade = engineUpgrade(config.ENGINE_URL);
  const onUpgrade = (req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => { if (!upgrade(req, socket, head)) socket.destroy(); };
  const plain = http.createServer(app).on('upgrade', onUpgrade);
  const secure = tlsFiles ? https.createServer({ cert: tlsFiles.cert, key: tlsFiles.key }, app).on('upgrade', onUpgrade) : null;
  return { plain, secure };
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/**
 * With HTTPS on, a page asked for over plain HTTP from another machine moves to HTTPS: there its camera
 * works and its session cookie is not sent in clear. This machine itself and health checks stay on HTTP.
 */
export function redirectToHttps(httpsPort: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if ((req.socket as TLSSocket).encrypted || LOOPBACK.has(req.hostname) || req.path === '/health') return next();
    res.redirect(308, `https://${req.hostname}:${httpsPort}${req.originalUrl}`);
  };
}
