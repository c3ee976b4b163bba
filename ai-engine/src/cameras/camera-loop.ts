import type { CameraState, Logger } from '@attendance/shared';
import { cv } from '../vision/index.js';
import { Backoff, sleep, untilAborted } from './backoff.js';
import type { CameraStats } from './camera-stats.js';
import type { FrameResult } from './frame-analyzer.js';
import { CaptureSource, SourceError, type RawFrame, type SourceInfo } from './sources/capture-source.js';
import { reconnects, type SourceSpec } from './sources/source.js';

/** Why a loop ended: typed, so nothing parses messages to decide what happened. */
export type StopReason = { kind: 'requested' } | { kind: 'ended' } | { kind: 'failed'; error: string };

export interface LoopOptions {
  inferEvery: number; watchdogMs: number; openTimeoutMs: number;
  /** Tests pass a fast backoff and a fake source. */
  backoff?: Backoff;
  open?: (spec: SourceSpec, timeoutMs: number, signal: AbortSignal) => Promise<FrameSource>;
}

/** What the loop needs of a source (CaptureSource, or a fake in tests). */
export interface FrameSource { readonly info: SourceInfo; next(): Promise<RawFrame>; close(): void }

export interface LoopHooks {
  state(state: CameraState, detail?: string): void;
  /** Called for every analysed frame, with the frame still alive (preview, detections topic). */
  analysed(frame: RawFrame, image: InstanceType<typeof cv.Mat>, result: FrameResult): void;
}

class StallError extends Error {}

/**
 * One camera: open the source, pull the newest frame whenever the previous one is done, analyse every
 * Nth, and on any failure reconnect with capped backoff (1 s → 60 s). A watchdog aborts an attempt that
 * makes no progress (no frame and no finished analysis for `watchdogMs`), so a hung read or a stuck
 * stream is restarted. Errors stay inside this loop: they never reach another camera or the server.
 */
export class CameraLoop {
  private readonly backoff: Backoff;

  constructor(
    private readonly spec: SourceSpec,
    private readonly analyzer: { analyze(image: InstanceType<typeof cv.Mat>): Promise<FrameResult> },
    private readonly stats: CameraStats,
    private readonly hooks: LoopHooks,
    private readonly opts: LoopOptions,
    private readonly log: Logger,
  ) {
    this.backoff = opts.backoff ?? new Backoff(1000, 60_000);
  }

  async run(signal: AbortSignal): Promise<StopReason> {
    let everRan = false;
    while (!signal.aborted) {
      this.hooks.state(everRan || this.backoff.attempts ? 'reconnecting' : 'starting');
      let error: SourceError | Error;
      try {
        await this.attempt(signal, () => { everRan = true; this.backoff.reset(); });
        continue;
      } catch (e) {
        error = e instanceof Error ? e : new Error(String(e));
      }
      if (signal.aborted) break;
      if (error instanceof SourceError && (error.kind === 'fatal' || (error.kind === 'ended' && !reconnects(this.spec)))) {
        const reason: StopReason = error.kind === 'ended' ? { kind: 'ended' } : { kind: 'failed', error: error.message };
        this.hooks.state(error.kind === 'ended' ? 'stopped' : 'failed', error.message);
        return reason;
      }
      const delay = this.backoff.next();
      this.log.warn({ err: error.message, retryInMs: delay }, 'camera source lost; reconnecting');
      this.hooks.state('reconnecting', `${error.message}; retry in ${Math.round(delay / 1000)} s`);
      await sleep(delay, signal);
    }
    this.hooks.state('stopped', 'stopped on request');
    return { kind: 'requested' };
  }

  /** One connection: resolves only when `signal` aborts; throws whatever ended it otherwise. */
  private async attempt(signal: AbortSignal, onFirstFrame: () => void): Promise<void> {
    const attempt = new AbortController();
    const stop = () => attempt.abort();
    signal.addEventListener('abort', stop, { once: true });
    let source: FrameSource | null = null;
    let progressAt = Date.now();
    const watchdog = setInterval(() => {
      if (Date.now() - progressAt > this.opts.watchdogMs) attempt.abort(new StallError(`no progress for ${this.opts.watchdogMs} ms`));
    }, Math.min(1000, this.opts.watchdogMs / 2));
    try {
      const open = this.opts.open ?? CaptureSource.open;
      source = await untilAborted(open(this.spec, this.opts.openTimeoutMs, attempt.signal), attempt.signal);
      this.hooks.state('running', `${source.info.width}x${source.info.height}${source.info.fps > 0 ? ` @ ${Math.round(source.info.fps)} fps` : ''}`);
      let lastSeq = 0;
      let pulled = 0;
      for (;;) {
        const frame = await untilAborted(source.next(), attempt.signal);
        progressAt = Date.now();
        if (!lastSeq) onFirstFrame();
        this.stats.read(lastSeq ? frame.seq - lastSeq : 1);
        lastSeq = frame.seq;
        if (pulled++ % this.opts.inferEvery) continue;
        const image = new cv.Mat(Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength), frame.rows, frame.cols, cv.CV_8UC3);
        // If the watchdog gives up on a hung analysis, the Mat is left to the GC: it may still be in use.
        const analysis = this.analyzer.analyze(image);
        const result = await untilAborted(analysis, attempt.signal);
        try {
          progressAt = Date.now();
          this.stats.analysed(result.faces.length, result.recognitions, Date.now() - frame.at);
          this.stats.totalMarks += result.marks.filter((m) => m.marked).length;
          this.hooks.analysed(frame, image, result);
        } finally {
          image.release();
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      throw e;
    } finally {
      clearInterval(watchdog);
      signal.removeEventListener('abort', stop);
      source?.close();
    }
  }
}
