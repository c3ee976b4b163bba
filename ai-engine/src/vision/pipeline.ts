/**
 * The vision pipeline: decode → detect → (per face) pose, align, quality, embed; anti-spoof per frame.
 * Every model is loaded once in load() and warmed up; the instance owns its sessions (no module state).
 */
import { alignFace } from './align.js';
import { AntiSpoof } from './antispoof.js';
import { FaceDetector } from './detector.js';
import { FaceEmbedder } from './embedder.js';
import { ImageDecodeError, decodeImage, decodeImageAsync } from './image.js';
import { cv, type Mat } from './opencv.js';
import { estimatePose } from './pose.js';
import { DEFAULT_QUALITY_THRESHOLDS, assessQuality, interOcular, measureCrop } from './quality.js';
import type { AnalyzeOptions, FaceAnalysis, QualityThresholds, VisionOptions } from './types.js';

type Resolved = Required<Omit<VisionOptions, 'quality'>> & { quality: QualityThresholds };

export const VISION_DEFAULTS = Object.freeze({
  threads: 1,
  detectorScoreThreshold: 0.6,
  minFaceSize: 20,
  maxImagePixels: 40_000_000,
  detectorMaxSide: 640,
  flipTta: false,
  padRetry: true,
  refineLandmarks: true,
});

/** Fills defaults and rejects nonsense early, naming the option. */
export function resolveOptions(opts: VisionOptions): Resolved {
  const r: Resolved = { ...VISION_DEFAULTS, ...stripUndefined(opts), modelsDir: opts.modelsDir, quality: { ...DEFAULT_QUALITY_THRESHOLDS, ...stripUndefined(opts.quality ?? {}) } };
  const problems: string[] = [];
  if (typeof r.modelsDir !== 'string' || !r.modelsDir) problems.push('modelsDir is required');
  if (!Number.isInteger(r.threads) || r.threads < 1) problems.push('threads must be an integer >= 1');
  if (!(r.detectorScoreThreshold > 0 && r.detectorScoreThreshold < 1)) problems.push('detectorScoreThreshold must be in (0, 1)');
  if (!(r.minFaceSize >= 0)) problems.push('minFaceSize must be >= 0');
  if (!(r.maxImagePixels > 0)) problems.push('maxImagePixels must be > 0');
  if (!(r.detectorMaxSide >= 32)) problems.push('detectorMaxSide must be >= 32');
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

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export class VisionPipeline {
  private constructor(
    private readonly opts: Resolved,
    private readonly detector: FaceDetector,
    private readonly embedder: FaceEmbedder,
    private readonly antispoof: AntiSpoof,
  ) {}

  /** Loads every model once and runs each on a blank frame, so the first real frame is not slow. */
  static async load(options: VisionOptions): Promise<VisionPipeline> {
    const opts = resolveOptions(options);
    const session = { threads: opts.threads };
    const [detector, embedder, antispoof] = await Promise.all([
      FaceDetector.load(opts.modelsDir, session, {
        scoreThreshold: opts.detectorScoreThreshold, minFaceSize: opts.minFaceSize, maxSide: opts.detectorMaxSide, padRetry: opts.padRetry,
      }),
      FaceEmbedder.load(opts.modelsDir, session, opts.flipTta),
      AntiSpoof.load(opts.modelsDir, session),
    ]);
    const pipeline = new VisionPipeline(opts, detector, embedder, antispoof);
    await pipeline.warmUp();
    return pipeline;
  }

  /** Stored with every template: embeddings from different model ids must not be compared. */
  get modelId(): string { return this.embedder.modelId; }

  get options(): Readonly<Resolved> { return this.opts; }

  decode(input: Buffer | Uint8Array | string): Mat {
    return decodeImage(input, this.opts.maxImagePixels);
  }

  async analyzeBytes(input: Buffer | Uint8Array | string, opts?: AnalyzeOptions): Promise<FaceAnalysis[]> {
    const image = await decodeImageAsync(input, this.opts.maxImagePixels);
    try {
      return await this.analyze(image, opts);
    } finally {
      image.release();
    }
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
    const { embed = true, antispoof = true, maxFaces = Infinity, refineLandmarks = this.opts.refineLandmarks, detectorMaxSide = this.opts.detectorMaxSide } = opts;
    if (!(detectorMaxSide >= 32)) throw new Error('detectorMaxSide must be >= 32');
    let faces = (await this.detector.detect(image, detectorMaxSide)).slice(0, maxFaces);
    if (refineLandmarks) {
      const refined = [];
      for (const f of faces) refined.push(await this.detector.refine(image, f));
      faces = refined;
    }
    const real = antispoof ? await this.antispoof.score(image, faces) : [];
    const out: FaceAnalysis[] = [];
    for (const [i, face] of faces.entries()) {
      const pose = estimatePose(face.landmarks);
      const aligned = alignFace(image, face.landmarks);
      const quality = assessQuality({ interOcular: interOcular(face.landmarks), ...measureCrop(aligned) }, pose, this.opts.quality);
      const embedding = embed ? await this.embedder.embed(aligned) : undefined;
      aligned.release();
      out.push({ ...face, pose, quality, ...(embedding ? { embedding } : {}), ...(antispoof ? { real: real[i] } : {}) });
    }
    return out;
  }

  private async warmUp(): Promise<void> {
    const blank = new cv.Mat(480, 640, cv.CV_8UC3, [128, 128, 128]);
    await this.detector.detect(blank);
    await this.embedder.embed(new cv.Mat(112, 112, cv.CV_8UC3, [128, 128, 128]));
    await this.antispoof.score(blank, [{ box: [270, 190, 100, 100], score: 1, landmarks: [] }]);
  }

  async close(): Promise<void> {
    await Promise.all([this.detector.close(), this.embedder.close(), this.antispoof.close()]);
  }
}
