import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError, UnauthorizedError, createLogger, toErrorResponse } from '@attendance/shared';
import type { AdminUser } from '../admin/policy.js';

const log = createLogger('admin-http');

/** Lets an async handler throw: the error goes to the one error handler below. */
export const handle = (fn: (req: Request, res: Response) => Promise<unknown>): RequestHandler =>
  (req, res, next) => { fn(req, res).catch(next); };

/** The logged-in user of a session route; a request without one is a 401. */
export function sessionUser(req: Request): AdminUser {
  const user = req.session?.adminUser;
  if (!user) throw new UnauthorizedError('log in first');
  return user;
}

export const clientIp = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/** Typed errors → their status and `{error, message}`; anything else is logged once and hidden. */
export function errorHandler(err: unknown, req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(err);
  // Express's own client errors (malformed JSON, body too large, a path that does not decode) carry a 4xx.
  const clientStatus = (err as { status?: unknown; expose?: unknown })?.status;
  if (typeof clientStatus === 'number' && clientStatus >= 400 && clientStatus < 500 && !(err instanceof AppError)) {
    res.status(clientStatus).json({ error: clientStatus === 413 ? 'payload_too_large' : 'bad_request', message: (err as { expose?: boolean }).expose ? String((err as Error).message) : 'malformed request' });
    return;
  }
  const { status, body } = toErrorResponse(err);
  // A known condition (engine down) is a warning with its message; anything else gets its stack.
  if (err instanceof AppError && status >= 500) log.warn({ code: body.error, error: body.message, method: req.method, path: req.path }, 'request failed');
  else if (status >= 500) log.error({ err, method: req.method, path: req.path }, 'request failed');
  res.status(status).json(body);
}
