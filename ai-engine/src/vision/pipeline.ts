/**
 * The vision pipeline: decode → detect → (per face) pose, align, quality, embed; anti-spoof per frame.
 * Every model is loaded once in load() and warmed up; the instance owns its sessions (no module state).
 */
import { Admission } from '../inference/admission.js';
import { InferencePool } from '../inference/inference-pool.js';
import { alignFace } from './align.js';
import { AntiSpoof } from './antispoof.js';
import { FaceDetector } from './detector.js';
import { FaceEmbedder } from './embedder.js';
import { ImageDecodeError, decodeImage, decodeImageAsync } from './image.js';
import { cv, type Mat } from './opencv.js';
import { estimatePose } from './pose.js';
import { DEFAULT_QUALITY_THRESHOLDS, assessQuality, interOcular, measureCrop } from './quality.js';
import type { AnalyzeOptions, FaceAnalysis, QualityThresholds, VisionOptions } from './types.js';

type Resolved = Required<Omit<VisionOptions, 'quality' | 'workers' | 'maxActive'>> & { quality: QualityThresholds; workers: number; maxActive: number };

export const VISION_DEFAULTS = Object.freeze({
  threads: 1,
  detectorScoreThreshold: 0.6,
  minFaceSize: 20,
  maxImagePixels: 40_000_000,
  maxFaces: 32,
  workers: 0,
  maxQueued: 32,
  detectorMaxSide: 640,
  flipTta: false,
  padRetry: true,
  refineLandmarks: true,
});

/** Fills defaults and rejects nonsense early, naming the option. */
export function resolveOptions(opts: VisionOptions): Resolved {
  const given = stripUndefined(opts);
  const workers = given.workers ?? VISION_DEFAULTS.workers;
  const r: Resolved = {
    ...VISION_DEFAULTS, ...given, modelsDir: opts.modelsDir, workers, maxActive: given.maxActive ?? Math.max(2, 2 * workers),
    quality: { ...DEFAULT_QUALITY_THRESHOLDS, ...stripUndefined(opts.quality ?? {}) },
  };
  const problems: string[] = [];
  if (typeof r.modelsDir !== 'string' || !r.modelsDir) problems.push('modelsDir is required');
  if (!Number.isInteger(r.threads) || r.threads < 1) problems.push('threads must be an integer >= 1');
  if (!(r.detectorScoreThreshold > 0 && r.detectorScoreThreshold < 1)) problems.push('detectorScoreThreshold must be in (0, 1)');
  if (!(r.minFaceSize >= 0)) problems.push('minFaceSize must be >= 0');
  if (!(r.maxImagePixels > 0)) problems.push('maxImagePixels must be > 0');
  if (!(r.detectorMaxSide >= 32)) problems.push('detectorMaxSide must be >= 32');
  if (!(Number.isInteger(r.maxFaces) && r.maxFaces >= 1)) problems.push('maxFaces must be an integer >= 1');
  if (!(Number.isInteger(r.workers) && r.workers >= 0)) problems.push('workers must be an integer >= 0');
  if (!(Number.isInteger(r.maxActive) && r.maxActive >= 1)) problems.push('maxActive must be an integer >= 1');
  if (!(Number.isInteger(r.maxQueued) && r.maxQueued >= 0)) problems.push('maxQueued must be an integer >= 0');
  for (const [k, v] of Object.entries(r.quality)) if (!Number.isFinite(v)) problems.push(`quality.${k} must be a number`);
  if (problems.length) throw new Error(`invalid vision options: ${problems.join('; ')}`);
  return r;
}

/** Callers may hand in grey or BGRA frames (cameras, tests); the models want 8-bit BGR. */
function asBgr(image: Mat): Mat {
  if (image.empty) throw new ImageDecodeError('corrupt', 'image is empty');
  if (image.depth !== cv.CV_8U) throw new ImageDecodeError('corrupt', 'image must have 8-bit channels');
  if (image.channels === 1) return image.cvtColor(cv.COLOR_GRAY2BGR);
  if (image.channels === 4) return image.cvtColor(cv.COLOR_BGRA2BGR);
  return image;
}

/** Like Promise.all, but waits for every promise before throwing the first failure. */
async function settleAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export class VisionPipeline {
  private readonly admission: Admission;

  private constructor(
    private readonly opts: Resolved,
    private readonly detector: FaceDetector,
    private readonly embedder: FaceEmbedder,
    private readonly antispoof: AntiSpoof,
    private readonly pool: InferencePool | null,
  ) {
    this.admission = new Admission(opts.maxActive, opts.maxQueued);
  }

  /**
   * Loads every model once and runs each on a blank frame, so the first real frame is not slow.
   * With `workers` > 0 the models run in that many worker threads (the inference pool).
   */
  static async load(options: VisionOptions): Promise<VisionPipeline> {
    const opts = resolveOptions(options);
    const pool = opts.workers > 0 ? InferencePool.start(opts.workers) : null;
    const session = { threads: opts.threads, ...(pool ? { pool } : {}) };
    const [detector, embedder, antispoof] = await Promise.all([
      FaceDetector.load(opts.modelsDir, session, {
        scoreThreshold: opts.detectorScoreThreshold, minFaceSize: opts.minFaceSize, maxSide: opts.detectorMaxSide, padRetry: opts.padRetry,
      }),
      FaceEmbedder.load(opts.modelsDir, session, opts.flipTta),
      AntiSpoof.load(opts.modelsDir, session),
    ]);
    const pipeline = new VisionPipeline(opts, detector, embedder, antispoof, pool);
    await pipeline.warmUp();
    return pipeline;
  }

  /** Stored with every template: embeddings from different model ids must not be compared. */
  get modelId(): string { return this.embedder.modelId; }

  get options(): Readonly<Resolved> { return this.opts; }

  /** Analyses admitted and waiting (see `withImage`). */
  get inFlight(): number { return this.admission.inFlight; }

  /** Synchronous decode on the calling thread: prefer `withImage` or `decodeAsync` on a server. */
  decode(input: Buffer | Uint8Array | string): Mat {
    return decodeImage(input, this.opts.maxImagePixels);
  }

  /** Decodes on the libuv thread pool; the caller releases the Mat. */
  decodeAsync(input: Buffer | Uint8Array | string): Promise<Mat> {
    return decodeImageAsync(input, this.opts.maxImagePixels);
  }

  /**
   * Admits the image into the bounded analysis line (InferenceBusyError when it is full), decodes it off
   * the event loop, hands it to `fn`, and releases it afterwards: the way to handle an image from a request.
   */
  withImage<T>(input: Buffer | Uint8Array | string, fn: (image: Mat) => Promise<T>): Promise<T> {
    return this.admission.run(async () => {
      const image = await this.decodeAsync(input);
      try {
        return await fn(image);
      } finally {
        image.release();
      }
    });
  }

  async analyzeBytes(input: Buffer | Uint8Array | string, opts?: AnalyzeOptions): Promise<FaceAnalysis[]> {
    return this.withImage(input, (image) => this.analyze(image, opts));
  }

  /** Faces sorted by box area, largest first. */
  async analyze(image: Mat, opts: AnalyzeOptions = {}): Promise<FaceAnalysis[]> {
    const bgr = asBgr(image);
    try {
      return await this.analyzeBgr(bgr, opts);
    } finally {
      if (bgr !== image) bgr.release();
    }
  }

  private async analyzeBgr(image: Mat, opts: AnalyzeOptions): Promise<FaceAnalysis[]> {
    const { embed = true, antispoof = true, maxFaces = this.opts.maxFaces, refineLandmarks = this.opts.refineLandmarks, detectorMaxSide = this.opts.detectorMaxSide } = opts;
    if (!(detectorMaxSide >= 32)) throw new Error('detectorMaxSide must be >= 32');
    const faces = (await this.detector.detect(image, detectorMaxSide)).slice(0, Math.min(maxFaces, this.opts.maxFaces));
    // The runs below do not depend on each other: started together, they spread over the pool's workers.
    // Each takes what it needs from `image` synchronously before its first await. The per-face chains
    // (refine, then embed) are queued before the anti-spoof run because they are the longer path: refined on
    // both workers at once, then the embedding beside the anti-spoof run. In the other order one frame
    // took 13.3 ms in the pool of 2, its refinement waiting behind the anti-spoof run (traced run by run).
    const perFace = faces.map(async (detected): Promise<FaceAnalysis> => {
      const face = refineLandmarks ? await this.detector.refine(image, detected) : detected;
      const pose = estimatePose(face.landmarks);
      const aligned = alignFace(image, face.landmarks);
      let quality, embedding;
      try {
        quality = assessQuality({ interOcular: interOcular(face.landmarks), ...measureCrop(aligned) }, pose, this.opts.quality);
        embedding = embed ? await this.embedder.embed(aligned) : undefined;
      } finally {
        aligned.release();
      }
      return { ...face, pose, quality, ...(embedding ? { embedding } : {}) };
    });
    const real = antispoof ? this.antispoof.score(image, faces) : Promise.resolve([]);
    // Settle every run before returning or throwing: the caller may release `image` right after.
    const [scores, ...analysed] = await settleAll<number[] | FaceAnalysis>([real, ...perFace]) as [number[], ...FaceAnalysis[]];
    return analysed.map((a, i) => (antispoof ? { ...a, real: scores[i] } : a));
  }

  private async warmUp(): Promise<void> {
    const blank = new cv.Mat(480, 640, cv.CV_8UC3, [128, 128, 128]);
    const crop = new cv.Mat(112, 112, cv.CV_8UC3, [128, 128, 128]);
    try {
      await this.detector.detect(blank);
      await this.embedder.embed(crop);
      await this.antispoof.score(blank, [{ box: [270, 190, 100, 100], score: 1, landmarks: [] }]);
    } finally {
      blank.release();
      crop.release();
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.detector.close(), this.embedder.close(), this.antispoof.close()]);
    await this.pool?.close();
  }
}
