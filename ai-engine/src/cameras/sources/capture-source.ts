import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './capture-protocol.js';
import type { SourceSpec } from './source.js';

export interface RawFrame { data: Uint8Array; rows: number; cols: number; seq: number; at: number }
export interface SourceInfo { width: number; height: number; fps: number }

/** Why a source stopped giving frames: the loop decides from the kind whether to reconnect. */
export class SourceError extends Error {
  constructor(readonly kind: 'ended' | 'timeout' | 'unavailable' | 'fatal', message: string) { super(message); }
}

// Prefer TCP for RTSP: a server that goes away then resets the connection and a read fails at once
// instead of waiting out UDP silence. Must be in the real environment before a worker opens a capture.
process.env.OPENCV_FFMPEG_CAPTURE_OPTIONS ??= 'rtsp_transport;tcp';

/**
 * Compiled, the worker is a .js file beside this one. Under tsx it is a .ts file, and a worker does not
 * inherit tsx's loader: a small bootstrap registers it before importing the worker.
 */
const RUNNING_TS = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(`./capture.worker${RUNNING_TS ? '.ts' : '.js'}`, import.meta.url);
const spawnWorker = (spec: SourceSpec): Worker => (RUNNING_TS
  ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`, { eval: true, workerData: { spec } })
  : new Worker(WORKER_URL, { workerData: { spec } }));

/**
 * A capture running in its own worker thread. `next()` resolves with the newest frame not yet seen
 * (never a queue); anything the worker reports as a failure rejects the pending call with a SourceError.
 * `close()` terminates the worker even if it is stuck in a blocking read.
 */
export class CaptureSource {
  private pending: { resolve: (f: RawFrame) => void; reject: (e: Error) => void } | null = null;
  private failure: SourceError | null = null;
  private closed = false;

  private constructor(private readonly worker: Worker, readonly info: SourceInfo) {}

  static open(spec: SourceSpec, timeoutMs: number, signal?: AbortSignal): Promise<CaptureSource> {
    return new Promise((resolve, reject) => {
      const worker = spawnWorker(spec);
      let source: CaptureSource | null = null;
      const fail = (e: SourceError) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (source) source.fail(e);
        else { void worker.terminate(); reject(e); }
      };
      const onAbort = () => fail(new SourceError('unavailable', 'stopped while opening'));
      const timer = setTimeout(() => fail(new SourceError('timeout', `no frame within ${timeoutMs} ms of opening`)), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'opened') {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          source = new CaptureSource(worker, { width: m.width, height: m.height, fps: m.fps });
          resolve(source);
        } else if (m.type === 'frame') source?.deliver(m);
        else if (m.type === 'ended') fail(new SourceError('ended', 'the stream ended'));
        else fail(new SourceError(m.fatal ? 'fatal' : 'unavailable', m.message));
      });
      worker.on('error', (err) => fail(new SourceError('unavailable', `capture worker crashed: ${err.message}`)));
      worker.on('exit', () => fail(new SourceError('ended', 'capture worker exited')));
    });
  }

  /** The newest frame the loop has not seen yet; waits for one if necessary. */
  next(): Promise<RawFrame> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error('next() called twice without waiting'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage({ type: 'pull' } satisfies ToWorker);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fail(new SourceError('unavailable', 'closed'));
    this.worker.postMessage({ type: 'close' } satisfies ToWorker);
    // A read blocked on a dead stream would keep the worker alive: do not wait for it.
    void this.worker.terminate();
  }

  private deliver(f: RawFrame): void {
    const p = this.pending;
    this.pending = null;
    p?.resolve(f);
  }

  private fail(e: SourceError): void {
    this.failure ??= e;
    const p = this.pending;
    this.pending = null;
    p?.reject(this.failure);
  }
}
