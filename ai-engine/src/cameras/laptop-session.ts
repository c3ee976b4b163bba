import type { Logger } from '@attendance/shared';
import type { VisionPipeline } from '../vision/index.js';
import type { CameraStats } from './camera-stats.js';
import type { FrameAnalyzer, FrameResult } from './frame-analyzer.js';

/**
 * A teacher's browser streaming JPEG frames over a WebSocket. Same rule as a camera loop: only the newest
 * frame waits; one arriving while another is analysed replaces the waiting one, so a slow model drops
 * frames instead of queueing them.
 */
export class LaptopSession {
  private waiting: { jpeg: Buffer; at: number } | null = null;
  private busy = false;
  private closed = false;
  private listener: ((r: FrameResult | { error: string }) => void) | null = null;
  readonly startedAt = new Date();
  /** When a frame last arrived (or the session started): the manager ends idle sessions. */
  lastActivity = Date.now();

  constructor(
    readonly id: string,
    readonly cameraId: number | null,
    readonly username: string,
    private readonly vision: VisionPipeline,
    private readonly analyzer: FrameAnalyzer,
    readonly stats: CameraStats,
    private readonly log: Logger,
  ) {}

  get isClosed(): boolean { return this.closed; }
  /** A socket streams to it. */
  get attached(): boolean { return this.listener !== null; }

  /** Where results go (the session's WebSocket). */
  onResult(listener: ((r: FrameResult | { error: string }) => void) | null): void { this.listener = listener; }

  submit(jpeg: Buffer): void {
    if (this.closed) return;
    this.lastActivity = Date.now();
    this.stats.read(1);
    this.waiting = { jpeg, at: Date.now() };
    if (!this.busy) void this.drain();
  }

  close(): void { this.closed = true; this.waiting = null; this.listener = null; }

  private async drain(): Promise<void> {
    this.busy = true;
    while (this.waiting && !this.closed) {
      const { jpeg, at } = this.waiting;
      this.waiting = null;
      let image;
      try {
        image = await this.vision.decodeAsync(jpeg); // off the event loop
      } catch (err) {
        this.listener?.({ error: err instanceof Error ? err.message : String(err) });
        continue;
      }
      try {
        const result = await this.analyzer.analyze(image);
        this.stats.analysed(result.faces.length, result.recognitions, Date.now() - at);
        this.stats.totalMarks += result.marks.filter((m) => m.marked).length;
        this.listener?.(result);
      } catch (err) {
        this.log.error({ err }, 'laptop-camera frame failed');
        this.listener?.({ error: 'analysis failed' });
      } finally {
        image.release();
      }
    }
    this.busy = false;
  }
}
