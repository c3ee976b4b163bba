import type { HttpResponse, TemplatedApp } from 'uWebSockets.js';
import { BadRequestError, toErrorResponse, type Logger } from '@attendance/shared';
import type { AuthService } from '../../auth/auth.service.js';
import type { CameraAccess } from '../../cameras/camera-access.js';
import type { PreviewHub, PreviewViewer } from '../../cameras/preview.js';
import { statusLine } from './router.js';

const BOUNDARY = 'frame';

/**
 * `GET /stream/:camera_id`: MJPEG preview with boxes and names. Written by hand because the router is for
 * request/response routes, with the same rules: headers copied synchronously, onAborted before the first
 * await, every write corked, nothing written after an abort. A viewer whose socket is backed up skips
 * frames until uWS reports it writable again, so a slow or vanished viewer never stalls a camera loop.
 * The token may come as `?token=` because an <img> tag cannot send headers.
 */
export function mjpegRoute(app: TemplatedApp, deps: { auth: AuthService; access: CameraAccess; previews: PreviewHub; log: Logger; recheckMs: number }): void {
  app.get('/stream/:camera_id', (res, req) => {
    const rawId = req.getParameter(0) ?? '';
    const authorization = req.getHeader('authorization');
    const query = new URLSearchParams(req.getQuery() ?? '');
    let aborted = false;
    let detach: (() => void) | null = null;
    const timers: NodeJS.Timeout[] = [];
    const stopTimers = () => { for (const t of timers) clearTimeout(t); };
    res.onAborted(() => { aborted = true; detach?.(); stopTimers(); });
    void (async () => {
      const cameraId = Number(rawId);
      const token = query.get('token');
      const principal = token ? await deps.auth.fromToken(token) : await deps.auth.authenticate(authorization, '');
      if (principal.kind === 'user' && principal.scope) throw new BadRequestError('this token cannot watch cameras');
      if (!Number.isInteger(cameraId) || cameraId < 1) throw new BadRequestError('camera_id must be a positive integer');
      await deps.access.check(principal, cameraId);
      if (aborted) return;
      let backedUp = false;
      const viewer: PreviewViewer = {
        send: (jpeg) => {
          if (aborted || backedUp) return;
          res.cork(() => {
            res.write(`--${BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
            if (!res.write(jpeg)) backedUp = true;
            res.write('\r\n');
          });
          if (backedUp) res.onWritable(() => { backedUp = false; return true; });
        },
        close: () => { stopTimers(); if (!aborted) { aborted = true; res.cork(() => res.end()); } },
      };
      detach = deps.previews.add(cameraId, viewer);
      // Biometric video lives only as long as its token and its user's access: closed at expiry, and when a
      // re-check finds the user deactivated, demoted or moved out of the camera's room.
      const end = () => { detach?.(); viewer.close(); };
      if (principal.kind === 'user' && principal.expiresAt !== undefined) timers.push(setTimeout(end, Math.min(Math.max(0, principal.expiresAt - Date.now()), 2 ** 31 - 1)));
      timers.push(setInterval(() => {
        void deps.auth.recheck(principal, true).then(() => deps.access.check(principal, cameraId)).then(() => undefined, end);
      }, deps.recheckMs));
      res.cork(() => {
        res.writeStatus('200 OK')
          .writeHeader('Content-Type', `multipart/x-mixed-replace; boundary=${BOUNDARY}`)
          .writeHeader('Cache-Control', 'no-store')
          .writeHeader('Connection', 'close');
        // Send the headers now: the first frame may be a while away (camera still connecting).
        res.write('');
      });
    })().catch((err: unknown) => {
      const { status, body } = toErrorResponse(err);
      if (status >= 500 && status !== 503) deps.log.error({ err, cameraId: rawId }, 'preview failed');
      if (aborted) return;
      res.cork(() => writeError(res, status, body));
    });
  });
}

function writeError(res: HttpResponse, status: number, body: unknown): void {
  res.writeStatus(statusLine(status)).writeHeader('Content-Type', 'application/json').end(JSON.stringify(body));
}
