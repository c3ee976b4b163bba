// Builds the engine from its parts, by hand: tests create one in-process; main.ts runs one.
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import uWS, { type us_listen_socket } from 'uWebSockets.js';
import type { DataSource } from 'typeorm';
import { Redis } from 'ioredis';
import { LoginLimiter, TemplateCipher, assertSchemaCurrent, createLogger, openDatabase, redisRequestOptions, trustedProxies, type Logger } from '@attendance/shared';
import { AttendanceService } from './attendance/attendance.service.js';
import { PresenceService } from './attendance/presence.service.js';
import { AuthService } from './auth/auth.service.js';
import { CameraAccess } from './cameras/camera-access.js';
import { CameraLeases } from './cameras/camera-leases.js';
import { CameraManager } from './cameras/camera-manager.js';
import { LaptopDirectory } from './cameras/laptop-directory.js';
import { PreviewHub } from './cameras/preview.js';
import type { EngineConfig } from './config.js';
import { EnrollmentService } from './enrollment/enroll.service.js';
import { GalleryJobs } from './jobs/gallery-jobs.js';
import { LivenessService } from './liveness/liveness.service.js';
import { LivenessStore } from './liveness/liveness-store.js';
import { GalleryService } from './matching/gallery.service.js';
import { Metrics } from './observability/metrics.js';
import { RecognitionService } from './recognition/recognize.service.js';
import { HttpRouter } from './transport/http/router.js';
import { mjpegRoute } from './transport/http/mjpeg.js';
import { authRoutes } from './transport/http/routes/auth.routes.js';
import { detectionRoutes } from './transport/http/routes/detection.routes.js';
import { enrollRoutes } from './transport/http/routes/enroll.routes.js';
import { livenessRoutes } from './transport/http/routes/liveness.routes.js';
import { matchingRoutes } from './transport/http/routes/matching.routes.js';
import { recognizeRoutes } from './transport/http/routes/recognize.routes.js';
import { systemRoutes } from './transport/http/routes/system.routes.js';
import { livenessWs } from './transport/ws/liveness-ws.js';
import { Publisher } from './transport/ws/publisher.js';
import { laptopCameraWs } from './transport/ws/laptop-camera.js';
import { wsServer } from './transport/ws/ws-server.js';
import { VisionPipeline } from './vision/index.js';

const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
const SHUTDOWN_GRACE_MS = 10_000;

export interface EngineOptions {
  /** Injected clock for the attendance rules (tests). */
  now?: () => Date;
  log?: Logger;
}

export interface Engine {
  readonly db: DataSource;
  readonly vision: VisionPipeline;
  readonly gallery: GalleryService;
  readonly jobs: GalleryJobs;
  readonly router: HttpRouter;
  readonly publisher: Publisher;
  readonly cameras: CameraManager;
  readonly leases: CameraLeases;
  /** Listens on BIND_HOST:port (0 = a free port); resolves to the port. */
  listen(port?: number): Promise<number>;
  /** Stops accepting, finishes in-flight requests, then closes the queue, models and database. */
  close(): Promise<void>;
}

export async function createEngine(config: EngineConfig, opts: EngineOptions = {}): Promise<Engine> {
  const log = opts.log ?? createLogger('ai-engine', { level: config.LOG_LEVEL });
  const { dataSource: db } = await openDatabase(config, { migrate: false });
  await assertSchemaCurrent(db);
  const vision = await VisionPipeline.load({
    modelsDir: config.MODELS_DIR, threads: config.VISION_THREADS, detectorScoreThreshold: config.DETECTOR_SCORE_THRESHOLD,
    minFaceSize: config.MIN_FACE_SIZE, maxImagePixels: config.MAX_IMAGE_PIXELS, detectorMaxSide: config.DETECTOR_MAX_SIDE,
    workers: config.VISION_WORKERS, maxQueued: config.VISION_MAX_QUEUED,
  });
  const metrics = new Metrics();
  const cipher = new TemplateCipher(config.templateKey, config.TEMPLATE_KEY_ID, config.oldTemplateKeys);
  const gallery = new GalleryService(db, cipher, vision.modelId, {
    targetFpir: config.MATCH_TARGET_FPIR, fixedThreshold: config.MATCH_THRESHOLD, margin: config.MATCH_MARGIN, scoring: config.MATCH_STUDENT_SCORE,
  }, log);
  await gallery.reloadAll();
  const jobs = new GalleryJobs(config.REDIS_URL, config.QUEUE_PREFIX, log);
  jobs.start(gallery); // polls the gallery outbox at once; Redis connects in the background

  const publisher = new Publisher();
  // Login limits live in Redis under the same prefix as the admin server's: every engine and the panel count together.
  // Open liveness sessions live there too, so any engine serves any request of a registration.
  const requestRedis = new Redis(config.REDIS_URL, redisRequestOptions());
  const auth = new AuthService(db, {
    secret: config.JWT_SECRET, issuer: config.JWT_ISSUER, tokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS, recheckMs: config.AUTH_RECHECK_SECONDS * 1000,
  }, new LoginLimiter(requestRedis, `${config.QUEUE_PREFIX}:`, { perUserAndIp: config.LOGIN_MAX_ATTEMPTS, windowSeconds: config.LOGIN_WINDOW_SECONDS }));
  const attendance = new AttendanceService(db, config.SCHOOL_TIMEZONE, publisher, metrics, opts.now, {
    cooldownSeconds: config.ATTENDANCE_COOLDOWN_SECONDS, maxMarksPerDay: config.ATTENDANCE_MAX_MARKS_PER_DAY,
  });
  const recognition = new RecognitionService(vision, gallery, attendance, metrics, config.ANTISPOOF_THRESHOLD);
  const enrollment = new EnrollmentService(db, vision, gallery, cipher, jobs);
  const liveness = new LivenessService({
    db, enrollment, log, store: new LivenessStore(requestRedis, config.QUEUE_PREFIX, cipher), analyze: (image) => vision.analyzeBytes(image, { embed: true, antispoof: true, maxFaces: 3 }),
    policy: {
      centerMaxYaw: config.LIVENESS_CENTER_MAX_YAW, turnMinYaw: config.LIVENESS_TURN_MIN_YAW, antispoofThreshold: config.ANTISPOOF_THRESHOLD,
      samePersonThreshold: config.LIVENESS_SAME_PERSON_THRESHOLD, trackMinSimilarity: config.LIVENESS_TRACK_MIN_SIMILARITY,
      trackMinIou: config.LIVENESS_TRACK_MIN_IOU, trackMaxGapMs: config.LIVENESS_TRACK_MAX_GAP_SECONDS * 1000,
      maxSpoofFrames: config.LIVENESS_MAX_SPOOF_FRAMES, maxFrames: config.LIVENESS_MAX_FRAMES,
    },
    limits: { timeLimitMs: config.LIVENESS_TIME_LIMIT_SECONDS * 1000, maxSessionsPerStudent: config.LIVENESS_MAX_SESSIONS_PER_STUDENT, windowMs: config.LIVENESS_WINDOW_SECONDS * 1000 },
  });
  const previews = new PreviewHub(config.MJPEG_FPS, config.MJPEG_MAX_VIEWERS);
  const cameraAccess = new CameraAccess(db);
  const cameras = new CameraManager({
    db, vision, recognition, attendance, presence: new PresenceService(db, config.SCHOOL_TIMEZONE), publisher, previews, log,
    now: opts.now ?? (() => new Date()),
  }, {
    inferEvery: config.CAMERA_INFER_EVERY, votes: config.CAMERA_VOTES, maxConcurrent: config.CAMERA_MAX_CONCURRENT,
    watchdogMs: config.CAMERA_WATCHDOG_SECONDS * 1000, openTimeoutMs: config.CAMERA_OPEN_TIMEOUT_SECONDS * 1000,
    logIntervalMs: config.CAMERA_LOG_INTERVAL_SECONDS * 1000,
    laptops: { max: config.LAPTOP_MAX_SESSIONS, perUser: config.LAPTOP_MAX_PER_USER, idleMs: config.LAPTOP_IDLE_SECONDS * 1000 },
  });

  // Several engines share the cameras: each enabled camera runs on the one holding its lease in Redis.
  const leases = new CameraLeases(db, cameras, {
    capacity: config.CAMERA_MAX_CONCURRENT, leaseMs: config.CAMERA_LEASE_SECONDS * 1000, prefix: config.QUEUE_PREFIX, redisUrl: config.REDIS_URL,
  }, log);
  const laptops = new LaptopDirectory(requestRedis, config.REDIS_URL, config.QUEUE_PREFIX, cameras, log);

  metrics.gauge('engine_gallery_templates', 'Face templates in the in-memory gallery', () => gallery.size);
  metrics.gauge('engine_gallery_students', 'Students with templates in the gallery', () => gallery.gallery.studentCount);
  metrics.gauge('engine_match_threshold', 'Open-set threshold in force for a whole-school search (cosine)', () => gallery.operatingPoint().threshold);
  metrics.gauge('engine_match_estimated_fpir', 'Estimated false-positive identification rate of a whole-school search at that threshold', () => gallery.operatingPoint().estimatedFpir);
  metrics.gauge('engine_match_target_fpir', 'Target false-positive identification rate (MATCH_TARGET_FPIR)', () => config.MATCH_TARGET_FPIR);
  metrics.gauge('engine_ws_clients', 'Connected WebSocket clients', () => publisher.clients);
  metrics.gauge('engine_ws_dropped_events_total', 'Droppable events skipped for slow WebSocket clients', () => publisher.dropped);

  const app = uWS.App();
  const router = new HttpRouter(app, { auth, metrics, log, corsOrigins: config.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean), maxBodyBytes: config.MAX_BODY_BYTES, trustProxy: trustedProxies(config.TRUST_PROXY) });
  const health = {
    check: async () => {
      const database = await db.query('SELECT 1').then(() => true, () => false);
      const redis = await jobs.redisUp();
      return { ok: database && redis, models: vision.modelId, database, redis, gallery: { templates: gallery.size, students: gallery.gallery.studentCount, version: gallery.syncedVersion } };
    },
  };
  authRoutes(router, auth);
  recognizeRoutes(router, recognition, cameraAccess, db);
  enrollRoutes(router, enrollment);
  matchingRoutes(router, gallery);
  livenessRoutes(router, liveness);
  systemRoutes(router, { health, metrics, version: VERSION });
  detectionRoutes(router, cameras, leases, laptops, cameraAccess, db);
  mjpegRoute(app, { auth, access: cameraAccess, previews, log, recheckMs: config.AUTH_RECHECK_SECONDS * 1000 });
  wsServer(app, { auth, access: cameraAccess, publisher, log, recheckMs: config.AUTH_RECHECK_SECONDS * 1000 });
  livenessWs(app, { auth, liveness, log });
  laptopCameraWs(app, { auth, cameras, laptops, log, recheckMs: config.AUTH_RECHECK_SECONDS * 1000 });
  router.fallback();

  let socket: us_listen_socket | null = null;
  return {
    db, vision, gallery, jobs, router, publisher, cameras, leases,
    listen: (port = config.ENGINE_PORT) => new Promise((resolve, reject) => {
      app.listen(config.BIND_HOST, port, (s) => {
        if (!s) return reject(new Error(`cannot listen on ${config.BIND_HOST}:${port}`));
        socket = s;
        const actual = uWS.us_socket_local_port(s as unknown as uWS.us_socket);
        log.info({ host: config.BIND_HOST, port: actual, models: path.basename(config.MODELS_DIR) }, 'ai-engine listening');
        // Enabled cameras start once the server answers, so their status can be watched from the start.
        leases.begin(config.ENGINE_ID ?? `${os.hostname()}:${actual}`);
        laptops.begin(leases.engineId);
        resolve(actual);
      });
    }),
    close: async () => {
      if (socket) uWS.us_listen_socket_close(socket);
      socket = null;
      const deadline = Date.now() + SHUTDOWN_GRACE_MS;
      while (router.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await leases.close(); // stops the cameras, then hands their leases over
      laptops.close();
      await jobs.close();
      requestRedis.disconnect();
      await vision.close();
      await db.destroy();
    },
  };
}
