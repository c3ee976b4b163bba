import uWS, { type HttpRequest, type HttpResponse, type TemplatedApp } from 'uWebSockets.js';
import { z } from 'zod';
import { BadRequestError, ForbiddenError, MAX_ID, clientAddress, toErrorResponse, type Logger, type Role } from '@attendance/shared';
import type { AuthService, Principal } from '../../auth/auth.service.js';
import type { Metrics } from '../../observability/metrics.js';
import { readBody } from './read-body.js';

export interface RequestContext {
  method: string;
  path: string;
  params: string[];
  query: URLSearchParams;
  headers: Readonly<Record<string, string>>;
  ip: string;
  body: Buffer;
  principal: Principal | null;
  /** Parses the body as JSON, validated by `schema`; a clear 400 otherwise. */
  json<T>(schema: z.ZodType<T>): T;
}

export interface Reply {
  status?: number;
  body?: unknown;
  /** Sent as is instead of JSON. */
  raw?: { contentType: string; data: string | Buffer };
  headers?: Record<string, string>;
  /** Close the connection after this response (e.g. a refused body is still arriving). */
  closeConnection?: boolean;
}

/** Who may call a route: no one but the roles listed, devices only if `device` is set. */
export interface Access {
  public?: boolean;
  roles?: readonly Role[];
  /** Devices with an API key may call it. */
  device?: boolean;
  /** Narrow tokens (e.g. a liveness registration) accepted here; they are refused everywhere else. */
  scopes?: readonly string[];
  bodyLimit?: number;
}

export const ALL_ROLES: readonly Role[] = ['admin', 'staff', 'teacher'];
/** An id in a request body: a positive integer that fits both databases' integer columns (PostgreSQL refuses more with a 500). */
export const zId = () => z.coerce.number().int().min(1).max(MAX_ID);
const COPIED_HEADERS = ['authorization', 'content-type', 'content-length', 'origin', 'x-api-key', 'sec-websocket-protocol', 'x-forwarded-for'];
const STATUS_TEXT: Record<number, string> = {
  200: '200 OK', 201: '201 Created', 204: '204 No Content', 400: '400 Bad Request', 401: '401 Unauthorized', 403: '403 Forbidden',
  404: '404 Not Found', 409: '409 Conflict', 413: '413 Payload Too Large', 415: '415 Unsupported Media Type', 422: '422 Unprocessable Entity',
  429: '429 Too Many Requests', 500: '500 Internal Server Error', 503: '503 Service Unavailable',
};
export const statusLine = (s: number) => STATUS_TEXT[s] ?? `${s} Status`;

/**
 * The one way HTTP handlers are written on uWS: headers copied synchronously (the request object is
 * stack-allocated), onAborted registered before the first await, every write corked, nothing written
 * after an abort, bodies size-limited, typed errors mapped to a status in one place, CORS and metrics.
 */
export class HttpRouter {
  private readonly routes: Array<{ method: string; pattern: string }> = [];
  /** Requests being handled: shutdown waits for them. */
  inFlight = 0;

  constructor(
    readonly app: TemplatedApp,
    private readonly deps: { auth: AuthService; metrics: Metrics; log: Logger; corsOrigins: readonly string[]; maxBodyBytes: number; trustProxy: (address: string) => boolean },
  ) {
    deps.metrics.gauge('engine_http_in_flight', 'HTTP requests being handled (an aborted upload ends its request)', () => this.inFlight);
    app.options('/*', (res, req) => {
      const origin = req.getHeader('origin');
      res.cork(() => {
        res.writeStatus(this.allowed(origin) ? '204 No Content' : '403 Forbidden');
        this.writeCors(res, origin);
        res.writeHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS')
          .writeHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-API-Key')
          .writeHeader('Access-Control-Max-Age', '600')
          .end();
      });
    });
  }

  get registered(): ReadonlyArray<{ method: string; pattern: string }> { return this.routes; }

  get(pattern: string, access: Access, handler: (ctx: RequestContext) => Promise<Reply>): void { this.add('get', pattern, access, handler); }
  post(pattern: string, access: Access, handler: (ctx: RequestContext) => Promise<Reply>): void { this.add('post', pattern, access, handler); }
  del(pattern: string, access: Access, handler: (ctx: RequestContext) => Promise<Reply>): void { this.add('del', pattern, access, handler); }

  /** Unknown routes: a JSON 404, not uWS's silence. */
  fallback(): void {
    this.app.any('/*', (res, req) => {
      const origin = req.getHeader('origin');
      res.cork(() => {
        res.writeStatus('404 Not Found').writeHeader('Content-Type', 'application/json');
        this.writeCors(res, origin);
        res.end(JSON.stringify({ error: 'not_found', message: `no route ${req.getMethod().toUpperCase()} ${req.getUrl()}` }));
      });
    });
  }

  private add(method: 'get' | 'post' | 'del', pattern: string, access: Access, handler: (ctx: RequestContext) => Promise<Reply>): void {
    this.routes.push({ method: method === 'del' ? 'delete' : method, pattern });
    const paramCount = (pattern.match(/:\w+/g) ?? []).length;
    this.app[method](pattern, (res: HttpResponse, req: HttpRequest) => {
      const started = performance.now();
      const headers: Record<string, string> = {};
      for (const h of COPIED_HEADERS) headers[h] = req.getHeader(h);
      const params = Array.from({ length: paramCount }, (_, i) => req.getParameter(i) ?? '');
      const path = req.getUrl();
      const query = new URLSearchParams(req.getQuery() ?? '');
      // Behind a trusted reverse proxy, the client is the forwarded address (login limits count it).
      const ip = clientAddress(Buffer.from(res.getRemoteAddressAsText()).toString(), headers['x-forwarded-for'], this.deps.trustProxy);
      let aborted = false;
      let sent = false;
      this.inFlight++;
      const send = (status: number, reply: Reply) => {
        if (sent) return;
        sent = true;
        this.inFlight--;
        this.deps.metrics.requests.inc({ route: pattern, method, status: aborted ? 499 : status });
        this.deps.metrics.requestMs.observe({ route: pattern }, performance.now() - started);
        if (aborted) return;
        res.cork(() => {
          res.writeStatus(statusLine(status));
          this.writeCors(res, headers.origin);
          for (const [k, v] of Object.entries(reply.headers ?? {})) res.writeHeader(k, v);
          const close = reply.closeConnection ?? false;
          if (reply.raw) res.writeHeader('Content-Type', reply.raw.contentType).end(reply.raw.data, close);
          else if (reply.body === undefined) res.end(undefined, close);
          else res.writeHeader('Content-Type', 'application/json').end(JSON.stringify(reply.body), close);
        });
      };
      // onData must be attached before the handler returns, or the body's first chunks are lost; until the
      // caller is authenticated it holds at most PRE_AUTH_BODY_BYTES (then the socket is paused).
      const reader = method === 'get' ? null : readBody(res, access.bodyLimit ?? this.deps.maxBodyBytes, Number(headers['content-length'] || 0));
      // An aborted upload settles the body read, so the request ends and the in-flight count comes down.
      res.onAborted(() => { aborted = true; reader?.abort(); });
      void (async () => {
        const principal = await this.authorize(access, headers);
        reader?.admit();
        const body = reader ? await reader.body : Buffer.alloc(0);
        const ctx: RequestContext = { method, path, params, query, headers, ip, body, principal, json: (schema) => parseJson(body, schema) };
        const reply = await handler(ctx);
        send(reply.status ?? 200, reply);
      })().catch((err: unknown) => {
        const { status, body } = toErrorResponse(err);
        if (status >= 500) this.deps.log.error({ err, route: pattern }, 'request failed');
        const retry = status === 429 || status === 503 ? retryAfter(body.details) : undefined;
        // A body we refused to read is still arriving: close after answering, or it would be parsed as the next request.
        send(status, { body, headers: retry, closeConnection: !!reader && !reader.complete });
      });
    });
  }

  private async authorize(access: Access, headers: Record<string, string>): Promise<Principal | null> {
    if (access.public) return null;
    const principal = await this.deps.auth.authenticate(headers.authorization, headers['x-api-key']);
    if (principal.kind === 'device') {
      if (!access.device) throw new ForbiddenError('devices may not use this route');
    } else if (principal.scope ? !access.scopes?.includes(principal.scope) : !(access.roles ?? ALL_ROLES).includes(principal.role)) {
      throw new ForbiddenError();
    }
    return principal;
  }

  allowed(origin: string): boolean {
    return !!origin && (this.deps.corsOrigins.includes(origin) || this.deps.corsOrigins.includes('*'));
  }

  private writeCors(res: HttpResponse, origin: string | undefined): void {
    if (origin && this.allowed(origin)) res.writeHeader('Access-Control-Allow-Origin', origin).writeHeader('Vary', 'Origin');
  }
}

function retryAfter(details: unknown): Record<string, string> | undefined {
  const seconds = (details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
  return seconds ? { 'Retry-After': String(seconds) } : undefined;
}

function parseJson<T>(body: Buffer, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new BadRequestError(`malformed JSON: ${(err as Error).message}`);
  }
  const r = schema.safeParse(value);
  if (!r.success) throw new BadRequestError('invalid request body', r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  return r.data;
}

export { uWS };
