import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AppError, Camera, NotFoundError, topics, type CameraState, type Logger } from '@attendance/shared';
import type { AttendanceService } from '../attendance/attendance.service.js';
import type { PresenceService } from '../attendance/presence.service.js';
import type { RecognitionService } from '../recognition/recognize.service.js';
import type { Publisher } from '../transport/ws/publisher.js';
import type { VisionPipeline } from '../vision/index.js';
import { CameraLoop, type StopReason } from './camera-loop.js';
import { CameraStats } from './camera-stats.js';
import { FrameAnalyzer, toDetectionEvent, type FrameResult } from './frame-analyzer.js';
import { LaptopSession } from './laptop-session.js';
import type { PreviewHub } from './preview.js';
import { parseSource, redactSource, SourceSpecError } from './sources/source.js';
import { TRACKER_DEFAULTS } from './tracker.js';

export interface CameraSettings {
  inferEvery: number; votes: number; maxConcurrent: number; watchdogMs: number; openTimeoutMs: number; logIntervalMs: number;
  /** Laptop-camera sessions: counted apart from cameras, capped per user, ended when idle. */
  laptops?: { max: number; perUser: number; idleMs: number };
}

const LAPTOP_DEFAULTS = { max: 8, perUser: 2, idleMs: 60_000 };

export class LaptopLimitError extends AppError {
  constructor(message: string) { super(message, 'laptop_limit', 429, { retryAfterSeconds: 30 }); }
}

export interface CameraStatus { camera_id: number; state: CameraState; detail: string | null; fps: number; faces: number; marks: number }

export class CameraLimitError extends AppError {
  constructor(limit: number) { super(`at most ${limit} cameras may run at once (CAMERA_MAX_CONCURRENT)`, 'camera_limit', 503); }
}

interface Running {
  controller: AbortController; stats: CameraStats; state: CameraState; detail: string | null; done: Promise<StopReason>; persist: Promise<void>;
  /** Stopped because another engine owns it now: its status row is the new owner's to write. */
  handedOver?: boolean;
}

export interface CameraDeps {
  db: DataSource; vision: VisionPipeline; recognition: RecognitionService; attendance: AttendanceService; presence: PresenceService;
  publisher: Publisher; previews: PreviewHub; log: Logger; now: () => Date;
}

/**
 * Starts, stops and reports camera loops and laptop-camera sessions, within the concurrency limit.
 * Every state change is published on `camera/<id>/status` and stored on the camera row.
 */
export class CameraManager {
  private readonly running = new Map<number, Running>();
  private readonly laptops = new Map<string, LaptopSession>();
  /** Recently ended sessions, so a stop after the socket closed still answers (bounded). */
  private readonly endedLaptops = new Map<string, LaptopSession>();
  private readonly statsTimer: NodeJS.Timeout;
  private readonly idleTimer: NodeJS.Timeout;
  private readonly laptopLimits: { max: number; perUser: number; idleMs: number };

  constructor(private readonly deps: CameraDeps, private readonly settings: CameraSettings) {
    this.statsTimer = setInterval(() => void this.flushStats(), settings.logIntervalMs);
    this.statsTimer.unref();
    this.laptopLimits = settings.laptops ?? LAPTOP_DEFAULTS;
    this.idleTimer = setInterval(() => this.endIdleLaptops(), Math.min(5_000, this.laptopLimits.idleMs / 2));
    this.idleTimer.unref();
  }

  /** Classroom cameras running; laptop sessions have their own limit and never count here. */
  get size(): number { return this.running.size; }

  get runningIds(): number[] { return [...this.running.keys()]; }

  isRunning(cameraId: number): boolean { return this.running.has(cameraId); }

  /** Told when a camera's loop ends, and why ('handover': stopped by handOver). The lease keeper listens. */
  onEnded?: (cameraId: number, kind: StopReason['kind'] | 'handover') => void;

  /** Stops a camera whose lease this engine lost, without writing its status row (the new owner does). */
  async handOver(cameraId: number): Promise<void> {
    const entry = this.running.get(cameraId);
    if (!entry) return;
    entry.handedOver = true;
    entry.controller.abort();
    await entry.done;
  }

  async start(cameraId: number): Promise<CameraStatus> {
    const existing = this.running.get(cameraId);
    if (existing) return this.statusOf(cameraId, existing);
    const camera = await this.deps.db.getRepository(Camera).findOneBy({ id: cameraId });
    if (!camera) throw new NotFoundError(`no camera ${cameraId}`);
    if (this.running.has(cameraId)) return this.statusOf(cameraId, this.running.get(cameraId)!);
    if (this.size >= this.settings.maxConcurrent) throw new CameraLimitError(this.settings.maxConcurrent);
    const log = this.deps.log.child({ cameraId, source: redactSource(camera.source) });
    const stats = new CameraStats(cameraId, this.deps);
    const entry: Running = { controller: new AbortController(), stats, state: 'starting', detail: null, done: Promise.resolve({ kind: 'requested' }), persist: Promise.resolve() };
    this.running.set(cameraId, entry);
    let spec;
    try {
      spec = parseSource(camera.source);
    } catch (err) {
      if (!(err instanceof SourceSpecError)) throw err;
      this.setState(cameraId, entry, 'failed', err.message);
      this.running.delete(cameraId);
      await entry.persist;
      return this.statusOf(cameraId, entry);
    }
    const analyzer = this.analyzer(cameraId, 'camera');
    const loop = new CameraLoop(spec, analyzer, stats, {
      state: (state, detail) => this.setState(cameraId, entry, state, detail),
      analysed: (_frame, image, result) => this.onAnalysed(cameraId, image, result),
    }, { inferEvery: this.settings.inferEvery, watchdogMs: this.settings.watchdogMs, openTimeoutMs: this.settings.openTimeoutMs }, log);
    entry.done = loop.run(entry.controller.signal).catch((err: unknown) => {
      // Only a bug gets here; it must still not take the server down.
      log.error({ err }, 'camera loop crashed');
      this.setState(cameraId, entry, 'failed', err instanceof Error ? err.message : String(err));
      return { kind: 'failed', error: String(err) } as StopReason;
    }).then((reason) => {
      this.onEnded?.(cameraId, entry.handedOver ? 'handover' : reason.kind);
      return reason;
    }).finally(() => {
      if (this.running.get(cameraId) === entry) this.running.delete(cameraId);
      this.deps.previews.closeAll(cameraId);
      void entry.stats.flush().catch((err: unknown) => log.error({ err }, 'writing detection log failed'));
    });
    log.info('camera started');
    return this.statusOf(cameraId, entry);
  }

  async stop(cameraId: number): Promise<CameraStatus> {
    const entry = this.running.get(cameraId);
    if (entry) {
      entry.controller.abort();
      await entry.done;
      await entry.persist;
      await this.deps.presence.flush();
      return this.statusOf(cameraId, entry);
    }
    const camera = await this.deps.db.getRepository(Camera).findOneBy({ id: cameraId });
    if (!camera) throw new NotFoundError(`no camera ${cameraId}`);
    return { camera_id: cameraId, state: camera.status, detail: camera.statusDetail, fps: 0, faces: 0, marks: 0 };
  }

  /** Status of the given cameras (all when `ids` is 'all'): live state for running ones, the stored one otherwise. */
  async status(ids: Set<number> | 'all'): Promise<CameraStatus[]> {
    const cameras = await this.deps.db.getRepository(Camera).find({ order: { id: 'ASC' } });
    return cameras.filter((c) => ids === 'all' || ids.has(c.id)).map((c) => {
      const r = this.running.get(c.id);
      return r ? this.statusOf(c.id, r) : { camera_id: c.id, state: c.status, detail: c.statusDetail, fps: 0, faces: 0, marks: 0 };
    });
  }

  /** Told when a laptop session ends here (the directory deletes its ticket). */
  onLaptopEnded?: (id: string) => void;

  /** `id`: a session started on another engine and taken over here (LaptopDirectory). */
  startLaptop(cameraId: number | null, username: string, id: string = crypto.randomUUID()): LaptopSession {
    const { max, perUser } = this.laptopLimits;
    if (this.laptops.size >= max) throw new LaptopLimitError(`at most ${max} laptop-camera sessions may run at once (LAPTOP_MAX_SESSIONS)`);
    const mine = [...this.laptops.values()].filter((s) => s.username === username).length;
    if (mine >= perUser) throw new LaptopLimitError(`at most ${perUser} laptop-camera sessions per user (LAPTOP_MAX_PER_USER): stop one first`);
    const session = new LaptopSession(id, cameraId, username, this.deps.vision, this.analyzer(cameraId, 'laptop'), new CameraStats(cameraId, this.deps), this.deps.log.child({ laptopSession: id, cameraId }));
    this.laptops.set(id, session);
    return session;
  }

  laptop(id: string): LaptopSession | undefined { return this.laptops.get(id); }

  /** A running or recently ended session (for its owner's stop request after the socket closed). */
  laptopEvenEnded(id: string): LaptopSession | undefined { return this.laptops.get(id) ?? this.endedLaptops.get(id); }

  async stopLaptop(id: string): Promise<LaptopSession> {
    const s = this.laptops.get(id);
    // Already ended (its socket closed, or idle): stopping it again answers with its final counters.
    const ended = this.endedLaptops.get(id);
    if (!s && ended) return ended;
    if (!s) throw new NotFoundError(`no laptop-camera session ${id}`);
    this.laptops.delete(id);
    this.endedLaptops.set(id, s);
    if (this.endedLaptops.size > 100) this.endedLaptops.delete(this.endedLaptops.keys().next().value!);
    s.close();
    this.onLaptopEnded?.(id);
    await s.stats.flush();
    await this.deps.presence.flush();
    return s;
  }

  /** Forgets a session another engine took over, unless a socket here streams to it. */
  dropLaptop(id: string): void {
    const s = this.laptops.get(id);
    if (!s || s.attached) return;
    this.laptops.delete(id);
    s.close();
  }

  get laptopSessions(): LaptopSession[] { return [...this.laptops.values()]; }

  /** A session whose browser stopped sending (tab closed, laptop asleep, never connected) ends by itself. */
  private endIdleLaptops(): void {
    const cutoff = Date.now() - this.laptopLimits.idleMs;
    for (const s of this.laptops.values()) {
      if (s.lastActivity >= cutoff) continue;
      this.deps.log.info({ laptopSession: s.id, username: s.username }, 'laptop-camera session idle: ended');
      void this.stopLaptop(s.id).catch((err: unknown) => this.deps.log.error({ err, laptopSession: s.id }, 'ending an idle laptop session failed'));
    }
  }

  async close(): Promise<void> {
    clearInterval(this.statsTimer);
    clearInterval(this.idleTimer);
    await Promise.all([...this.running.keys()].map((id) => this.stop(id)));
    for (const id of [...this.laptops.keys()]) await this.stopLaptop(id);
  }

  private analyzer(cameraId: number | null, source: 'camera' | 'laptop'): FrameAnalyzer {
    return new FrameAnalyzer(this.deps, cameraId, source, { ...TRACKER_DEFAULTS, votes: this.settings.votes, window: this.settings.votes + 2 });
  }

  private onAnalysed(cameraId: number, image: Parameters<PreviewHub['publish']>[1], result: FrameResult): void {
    const at = this.deps.now();
    if (result.faces.length) this.deps.publisher.publish(topics.cameraDetections(cameraId), toDetectionEvent(cameraId, result.faces, at), { droppable: true });
    if (this.deps.previews.due(cameraId)) this.deps.previews.publish(cameraId, image, result.faces);
  }

  private setState(cameraId: number, entry: Running, state: CameraState, detail?: string): void {
    if (entry.handedOver || (entry.state === state && entry.detail === (detail ?? null))) return;
    entry.state = state;
    entry.detail = detail ?? null;
    const at = new Date();
    this.deps.publisher.publish(topics.cameraStatus(cameraId), { cameraId, state, detail, at: at.toISOString() });
    this.deps.log.info({ cameraId, state, detail }, 'camera state');
    if (state === 'reconnecting' || state === 'failed') {
      this.deps.publisher.publish('logs', { level: state === 'failed' ? 'error' : 'warn', cameraId, at: at.toISOString(), message: `camera ${cameraId} ${state}${detail ? `: ${detail}` : ''}` });
    }
    entry.persist = entry.persist
      .then(() => this.deps.db.getRepository(Camera).update(cameraId, { status: state, statusDetail: detail?.slice(0, 255) ?? null, statusAt: at }))
      .then(() => undefined, (err: unknown) => this.deps.log.error({ err, cameraId }, 'storing camera status failed'));
  }

  private statusOf(cameraId: number, r: Running): CameraStatus {
    return { camera_id: cameraId, state: r.state, detail: r.detail, fps: Math.round(r.stats.fps * 10) / 10, faces: r.stats.lastFaces, marks: r.stats.totalMarks };
  }

  private async flushStats(): Promise<void> {
    for (const [cameraId, r] of this.running) await r.stats.flush().catch((err: unknown) => this.deps.log.error({ err, cameraId }, 'writing detection log failed'));
    for (const s of this.laptops.values()) await s.stats.flush().catch((err: unknown) => this.deps.log.error({ err, laptopSession: s.id }, 'writing detection log failed'));
  }
}
