import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AdminJSExpress from '@adminjs/express';
import AdminJS from 'adminjs';
import express, { type Express } from 'express';
import session from 'express-session';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { LoginLimiter, RateLimitedError, type Config } from '@attendance/shared';
import { ADMIN_ROOT, PANEL_CSS_PATH, adminOptions } from './admin/admin.options.js';
import { makeAuthenticate, refreshSessionUser } from './admin/auth.js';
import type { AdminDeps } from './admin/deps.js';
import { clearStaleBundle } from './admin/bundle.js';
import { AttendanceService } from './services/attendance.service.js';
import { BiometricService } from './services/biometric.service.js';
import { ConsentService } from './services/consent.service.js';
import { RetentionService } from './services/retention.service.js';
import { DashboardService } from './services/dashboard.service.js';
import type { EngineClient } from './services/engine-client.js';
import type { JobQueue } from './services/jobs.js';
import { MarksService } from './services/marks.service.js';
import { DomainEventBus } from './services/domain-events.js';
import { AttendanceEventRelay } from './services/attendance-events.js';
import { RegisterService } from './services/register.service.js';
import { RedisSessionStore } from './services/redis-session-store.js';
import { adminGuard } from './routes/guard.js';
import { sameSiteWrites } from './routes/csrf.js';
import { localFonts } from './routes/local-fonts.js';
import { clientIp, errorHandler } from './routes/http.js';
import { livenessRoutes } from './routes/liveness.routes.js';
import { ENGINE_PROXY_PATH, engineProxy } from './routes/engine-proxy.js';
import { redirectToHttps } from './server.js';
import { engineTokenFor, sessionApiRoutes } from './routes/session-api.routes.js';
import { sisRoutes } from './routes/sis.routes.js';
import { schoolDayRoutes } from './routes/school-day.routes.js';
import { OnSiteService } from './services/on-site.service.js';
import { RegisterExportService } from './services/register-export.service.js';
import { RosterImportService } from './services/roster-import.service.js';
import { YearRolloverService } from './services/year-rollover.service.js';
import { registerRoutes } from './routes/register.routes.js';
import { panelPagesRoutes } from './routes/panel-pages.routes.js';
import { TimetableWeekService } from './services/timetable-week.service.js';

/** Login attempts per username from one address per window (LoginLimiter adds slower per-user and per-address limits). */
export const LOGIN_MAX_FAILURES = 5;
export const LOGIN_WINDOW_SECONDS = 15 * 60;

export interface AdminAppDeps {
  config: Config;
  dataSource: DataSource;
  redis: Redis;
  /** BullMQ queue QUEUES.gallery. */
  queue: JobQueue;
  engine: EngineClient;
  clock?: () => Date;
  /** Prefix of the app's Redis keys (rate limits), so tests sharing one Redis do not share counters. */
  redisPrefix?: string;
  /** The retention job's service (main.ts shares one with the daily worker); built here when absent. */
  retention?: RetentionService;
  /** The domain's events (late, absent, register confirmed); main.ts subscribes the webhooks to it. */
  events?: DomainEventBus;
  /** Relays the attendance events outbox onto `events` (main.ts also polls it); built here when absent. */
  attendanceEvents?: AttendanceEventRelay;
}

/** The admin server as an Express app: AdminJS at /admin, the panel's JSON routes at /api, the SIS API at /api/v1. */
export function createAdminApp({ config, dataSource: ds, redis, queue, engine, clock = () => new Date(), redisPrefix = '', retention, events = new DomainEventBus(), attendanceEvents }: AdminAppDeps): Express {
  const attendance = new AttendanceService(ds);
  const deps: AdminDeps = {
    ds, engine, clock, timeZone: config.SCHOOL_TIMEZONE,
    biometric: new BiometricService(ds, queue, clock),
    consent: new ConsentService(ds, queue, clock),
    engineToken: (user) => engineTokenFor(config, user, 60),
  };
  // The engines' prefix by default, so a guess on the panel and on an engine count against the same limit.
  const limiter = new LoginLimiter(redis, redisPrefix || `${config.QUEUE_PREFIX}:`, { perUserAndIp: LOGIN_MAX_FAILURES, windowSeconds: LOGIN_WINDOW_SECONDS });
  const authenticate = makeAuthenticate(ds, limiter);
  const marks = new MarksService(ds, config.SCHOOL_TIMEZONE, clock, attendanceEvents ?? new AttendanceEventRelay(ds, events));
  const admin = new AdminJS(adminOptions(deps, marks));
  if (config.NODE_ENV !== 'production') clearStaleBundle();

  const app = express();
  app.disable('x-powered-by');
  // The same trusted proxies as the engine (TRUST_PROXY): req.ip is the client behind them.
  app.set('trust proxy', config.TRUST_PROXY.trim() ? config.TRUST_PROXY : false);
  app.use(localFonts());
  app.get('/health', (_req, res) => { res.json({ status: 'ok', database: ds.isInitialized, redis: redis.status }); });
  if (config.TLS_SELF_SIGNED || config.TLS_CERT_FILE) app.use(redirectToHttps(config.HTTPS_PORT));
  app.get('/', (_req, res) => { res.redirect(ADMIN_ROOT); });
  app.get(PANEL_CSS_PATH, (_req, res) => { res.type('css').sendFile(path.join(path.dirname(fileURLToPath(import.meta.url)), 'admin', 'panel.css')); });
  // Before the session: the engine authenticates its own tokens, and a video stream must not hold a session.
  app.use(ENGINE_PROXY_PATH, engineProxy(config.ENGINE_URL));

  // One session for AdminJS and the panel's JSON routes, kept in Redis so it survives restarts.
  const cookieSecret = crypto.createHmac('sha256', config.JWT_SECRET).update('admin-session-cookie').digest('hex');
  app.use(session({
    name: 'fa_admin',
    secret: cookieSecret,
    store: new RedisSessionStore(redis, config.ACCESS_TOKEN_TTL_SECONDS),
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'lax', secure: config.NODE_ENV === 'production' ? 'auto' : false, maxAge: config.ACCESS_TOKEN_TTL_SECONDS * 1000, path: '/' },
  }));
  app.use(refreshSessionUser(ds));

  const registerExport = new RegisterExportService(ds, attendance, config.SCHOOL_TIMEZONE);
  app.use('/api/v1', sisRoutes({ config, ds, attendance, limiter, registerExport }));
  // Every cookie-authenticated route below refuses cross-site writes (the SIS API above uses keys, not cookies).
  app.use(['/api', '/liveness', ADMIN_ROOT], sameSiteWrites());
  app.use('/api', sessionApiRoutes({
    config, ds, attendance, engine, clock, retention: retention ?? retentionFor(config, ds, queue, clock),
    dashboard: new DashboardService(ds, attendance, config.SCHOOL_TIMEZONE, clock),
  }));
  app.use('/api', registerRoutes(new RegisterService(ds, marks, config.SCHOOL_TIMEZONE, clock, events)));

  app.use('/api', schoolDayRoutes({ ds, registerExport, roster: new RosterImportService(ds, clock), rollover: new YearRolloverService(ds, clock), onSite: new OnSiteService(ds, config.SCHOOL_TIMEZONE, clock) }));
  app.use('/api', panelPagesRoutes({ ds, timetable: new TimetableWeekService(ds) }));
  app.use(livenessRoutes({ config, ds }));
  // An unknown JSON route is a JSON 404, like every other answer under /api (not Express's HTML page).
  app.use('/api', (req, res) => { res.status(404).json({ error: 'not_found', message: `no route ${req.method} ${req.baseUrl}${req.path}`.slice(0, 200) }); });

  // A refused login attempt (LoginLimiter) is a 429 with the login page, not AdminJS's generic error.
  app.post(`${ADMIN_ROOT}/login`, express.urlencoded({ extended: false, limit: '10kb' }), (req, res, next) => {
    const username = String((req.body as Record<string, unknown>)?.email ?? '');
    const password = String((req.body as Record<string, unknown>)?.password ?? '');
    authenticate(username, password, clientIp(req)).then(async (user) => {
      if (!user) return res.send(await admin.renderLogin({ action: admin.options.loginPath, errorMessage: 'invalidCredentials' }));
      const wanted = (req.session as { redirectTo?: unknown }).redirectTo;
      const redirectTo = typeof wanted === 'string' && wanted.startsWith(`${ADMIN_ROOT}/`) && !wanted.startsWith('//') ? wanted : ADMIN_ROOT;
      // A new session id on login: a session id planted before login is worth nothing after it.
      req.session.regenerate((err) => {
        if (err) return next(err);
        req.session.adminUser = user;
        req.session.save((saveErr) => (saveErr ? next(saveErr) : res.redirect(302, redirectTo)));
      });
    }).catch(async (err: unknown) => {
      if (!(err instanceof RateLimitedError)) return next(err);
      res.status(429).set('retry-after', String(err.retryAfterSeconds)).send(await admin.renderLogin({ action: admin.options.loginPath, errorMessage: 'tooManyRequests' }));
    });
  });
  app.use(ADMIN_ROOT, adminGuard(ds));
  app.use(ADMIN_ROOT, AdminJSExpress.buildAuthenticatedRouter(admin, {
    cookieName: 'fa_admin',
    cookiePassword: cookieSecret,
    authenticate: async (username: string, password: string, ctx?: { req: express.Request }) => {
      // Not reached: the login POST is answered above. Kept because AdminJS requires it.
      return authenticate(username, password, ctx ? clientIp(ctx.req) : 'unknown');
    },
  }, null, { resave: false, saveUninitialized: false, secret: cookieSecret }));

  app.use(errorHandler);
  return app;
}

export function retentionFor(config: Config, ds: DataSource, queue: JobQueue, clock: () => Date = () => new Date()): RetentionService {
  return new RetentionService(ds, queue, { templateDays: config.RETENTION_TEMPLATE_DAYS, attendanceMonths: config.RETENTION_ATTENDANCE_MONTHS, timeZone: config.SCHOOL_TIMEZONE }, clock);
}
