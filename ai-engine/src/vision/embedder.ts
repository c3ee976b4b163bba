/**
 * Face embedder: MobileFaceNet (foamliu) → 128-d, L2-normalised. Input: the aligned 112×112 crop,
 * RGB, /255, ImageNet mean/std (MODELS.md: the best of the normalisations tried on LFW).
 * The model's batch dimension is fixed at 1 (feeding [2,3,112,112] is rejected by onnxruntime),
 * so several faces are embedded one run after another.
 */
import { ALIGNED_SIZE } from './align.js';
import { pixelInput } from './mat-pixels.js';
import type { PixelNorm } from './model-input.js';
import type { Mat } from './opencv.js';
import { loadModel, outputData, type OnnxModel, type SessionConfig } from './onnx-session.js';

export const EMBEDDER_FILE = 'mobilefacenet_foamliu.onnx';
export const EMBEDDING_SIZE = 128;
/**
 * Default cosine threshold for "same person" with this model and pipeline. Chosen from `npm run eval`
 * on tests/fixtures/faces-pairs.tsv: the threshold at FAR 1e-3 was 0.371 (TAR 0.930); rounded up to
 * 0.40 (TAR 0.922, no false accept among 2,306 different-person pairs), because a gallery search makes
 * many comparisons per face and MODELS.md saw a bystander reach 0.36–0.38 in a video. Raise it for
 * large galleries; the matcher should also demand a margin over the second-best identity.
 */
export const DEFAULT_MATCH_THRESHOLD = 0.4;
const MEAN = [0.485, 0.456, 0.406] as const;
const STD = [0.229, 0.224, 0.225] as const;
/** RGB planes, (v/255 − mean)/std as one multiply-add per value. */
export const EMBEDDER_NORM: PixelNorm = Object.freeze({
  rgb: true,
  scale: [1 / (255 * STD[0]), 1 / (255 * STD[1]), 1 / (255 * STD[2])] as const,
  shift: [-MEAN[0] / STD[0], -MEAN[1] / STD[1], -MEAN[2] / STD[2]] as const,
});

export function l2normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum) || 1;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] / norm;
  return out;
}

/** Cosine similarity; for L2-normalised embeddings this is the dot product, in [-1, 1]. */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`embedding lengths differ: ${a.length} vs ${b.length}`);
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

export class FaceEmbedder {
  private constructor(private readonly model: OnnxModel, readonly flipTta: boolean) {}

  static async load(modelsDir: string, session: SessionConfig, flipTta: boolean): Promise<FaceEmbedder> {
    return new FaceEmbedder(await loadModel(modelsDir, EMBEDDER_FILE, session), flipTta);
  }

  /** 'mobilefacenet_foamliu' or 'mobilefacenet_foamliu+flip': embeddings from the two are not interchangeable. */
  get modelId(): string { return `mobilefacenet_foamliu${this.flipTta ? '+flip' : ''}`; }

  /** Embedding of one aligned crop; with flip TTA the raw outputs of the crop and its mirror are summed. */
  async embed(aligned: Mat): Promise<Float32Array> {
    if (aligned.cols !== ALIGNED_SIZE || aligned.rows !== ALIGNED_SIZE) throw new Error(`the embedder takes ${ALIGNED_SIZE}×${ALIGNED_SIZE} aligned crops`);
    const runs = [this.run(aligned)];
    if (this.flipTta) {
      const mirror = aligned.flip(1);
      try {
        runs.push(this.run(mirror)); // its pixels are copied before the first await
      } finally {
        mirror.release();
      }
    }
    const [raw, mirrored] = await Promise.all(runs);
    if (mirrored) for (let i = 0; i < raw.length; i++) raw[i] += mirrored[i];
    return l2normalize(raw);
  }

  private async run(crop: Mat): Promise<Float32Array> {
    const out = await this.model.run(pixelInput([crop], EMBEDDER_NORM, this.model), [1, 3, ALIGNED_SIZE, ALIGNED_SIZE]);
    return Float32Array.from(outputData(out, this.model.outputNames[0]));
  }

  close(): Promise<void> { return this.model.close(); }
}
