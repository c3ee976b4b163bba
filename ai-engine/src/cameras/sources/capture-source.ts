import { fork, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { FRAME_FD, FrameReader, type FromCapture, type ToCapture } from './capture-protocol.js';
import type { SourceSpec } from './source.js';

/** `data` is valid until the next call to `next()` (the capture's buffer is reused): copy what you keep. */
export interface RawFrame { data: Uint8Array; rows: number; cols: number; seq: number; at: number }
export interface SourceInfo { width: number; height: number; fps: number }

/** Why a source stopped giving frames: the loop decides from the kind whether to reconnect. */
export class SourceError extends Error {
  constructor(readonly kind: 'ended' | 'timeout' | 'unavailable' | 'fatal', message: string) { super(message); }
}

// Prefer TCP for RTSP: a server that goes away then resets the connection and a read fails at once
// instead of waiting out UDP silence. Must be in the real environment before a capture process starts.
process.env.OPENCV_FFMPEG_CAPTURE_OPTIONS ??= 'rtsp_transport;tcp';

/** Compiled, the child is a .js file beside this one; under tsx it is a .ts file and needs tsx's loader. */
const RUNNING_TS = import.meta.url.endsWith('.ts');
const CHILD_PATH = new URL(`./capture.process${RUNNING_TS ? '.ts' : '.js'}`, import.meta.url);
const spawnCapture = (spec: SourceSpec): ChildProcess => fork(CHILD_PATH, [], {
  execArgv: RUNNING_TS ? ['--import', import.meta.resolve('tsx')] : [],
  // OpenCV's backend warnings on every failed reconnect would flood the engine's log.
  env: { OPENCV_LOG_LEVEL: 'ERROR', ...process.env, CAPTURE_SOURCE_SPEC: JSON.stringify(spec) },
  // Control messages on IPC (fd 3); frames on their own pipe (FRAME_FD), length-prefixed.
  stdio: ['ignore', 'ignore', 'inherit', 'ipc', 'pipe'],
});

/**
 * A capture running in its own child process. `next()` resolves with the newest frame not yet seen
 * (never a queue); anything the capture process reports as a failure rejects the pending call with a SourceError.
 * `close()` kills the child even if it is stuck in a blocking read.
 */
export class CaptureSource {
  private pending: { resolve: (f: RawFrame) => void; reject: (e: Error) => void } | null = null;
  private failure: SourceError | null = null;
  private closed = false;

  private constructor(private readonly child: ChildProcess, readonly info: SourceInfo) {}

  static open(spec: SourceSpec, timeoutMs: number, signal?: AbortSignal): Promise<CaptureSource> {
    return new Promise((resolve, reject) => {
      const child = spawnCapture(spec);
      let source: CaptureSource | null = null;
      const fail = (e: SourceError) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (source) source.fail(e);
        else { child.kill('SIGKILL'); reject(e); }
      };
      const onAbort = () => fail(new SourceError('unavailable', 'stopped while opening'));
      const timer = setTimeout(() => fail(new SourceError('timeout', `no frame within ${timeoutMs} ms of opening`)), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      const reader = new FrameReader((head, data) => source?.deliver({ data, rows: head.rows, cols: head.cols, seq: head.seq, at: head.at }));
      const pipe = child.stdio[FRAME_FD] as Readable;
      pipe.on('data', (chunk: Buffer) => reader.push(chunk));
      pipe.on('error', () => undefined); // the child's exit is reported below
      child.on('message', (m: FromCapture) => {
        if (m.type === 'opened') {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          source = new CaptureSource(child, { width: m.width, height: m.height, fps: m.fps });
          resolve(source);
        } else if (m.type === 'ended') fail(new SourceError('ended', 'the stream ended'));
        else fail(new SourceError(m.fatal ? 'fatal' : 'unavailable', m.message));
      });
      child.on('error', (err) => fail(new SourceError('unavailable', `capture process failed: ${err.message}`)));
      child.on('exit', (code, signal) => fail(new SourceError('ended', `capture process exited (${signal ?? code})`)));
    });
  }

  /** The newest frame the loop has not seen yet; waits for one if necessary. */
  next(): Promise<RawFrame> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error('next() called twice without waiting'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.child.send({ type: 'pull' } satisfies ToCapture);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fail(new SourceError('unavailable', 'closed'));
    // A read blocked on a dead stream would never see a polite message.
    this.child.kill('SIGKILL');
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
