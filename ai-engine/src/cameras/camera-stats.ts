import type { DataSource } from 'typeorm';
import { DetectionLog } from '@attendance/shared';
import type { Publisher } from '../transport/ws/publisher.js';

/**
 * Counters for one camera over one interval, written as a detection_logs row and announced on the
 * `logs` topic, then reset. Also keeps a smoothed analysis rate for the status route.
 */
export class CameraStats {
  private start = new Date();
  private framesRead = 0;
  private framesAnalysed = 0;
  private faces = 0;
  private recognitions = 0;
  private latencies: number[] = [];
  private lastAnalysedAt = 0;
  /** Analysed frames per second, smoothed. */
  fps = 0;
  totalMarks = 0;
  lastFaces = 0;

  constructor(private readonly cameraId: number | null, private readonly deps: { db: DataSource; publisher: Publisher }) {}

  read(frames: number): void { this.framesRead += frames; }

  analysed(faces: number, recognitions: number, latencyMs: number, now = performance.now()): void {
    this.framesAnalysed++;
    this.faces += faces;
    this.recognitions += recognitions;
    this.lastFaces = faces;
    if (this.latencies.length < 10_000) this.latencies.push(latencyMs);
    if (this.lastAnalysedAt) this.fps = 0.8 * this.fps + 0.2 * (1000 / Math.max(1, now - this.lastAnalysedAt));
    this.lastAnalysedAt = now;
  }

  /** Writes the interval (if anything happened) and starts the next. */
  async flush(): Promise<void> {
    const end = new Date();
    const row = {
      cameraId: this.cameraId, intervalStart: this.start, intervalEnd: end, framesRead: this.framesRead, framesAnalysed: this.framesAnalysed,
      faces: this.faces, recognitions: this.recognitions, medianLatencyMs: median(this.latencies),
    };
    this.start = end;
    this.framesRead = this.framesAnalysed = this.faces = this.recognitions = 0;
    this.latencies = [];
    if (!row.framesRead && !row.framesAnalysed) return;
    await this.deps.db.getRepository(DetectionLog).insert(row);
    this.deps.publisher.publish('logs', {
      level: 'info', cameraId: this.cameraId ?? undefined, at: end.toISOString(),
      message: `frames read ${row.framesRead}, analysed ${row.framesAnalysed}, faces ${row.faces}, recognitions ${row.recognitions}, median latency ${row.medianLatencyMs?.toFixed(0) ?? '-'} ms`,
    });
  }
}

export function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
