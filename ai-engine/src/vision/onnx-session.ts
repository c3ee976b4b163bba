/**
 * A loaded ONNX model: one onnxruntime-node session on the CPU, created once and reused.
 * Threads are configurable; measured on a 2-core machine, one intra-op thread was the fastest for
 * these small models, and two threads were only competitive with thread spinning switched off.
 */
import fs from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import type { Mat } from './opencv.js';

export { ort };
export type Tensor = ort.Tensor;

export interface SessionConfig {
  /** Intra-op threads (>= 1). */
  threads: number;
}

export class OnnxModel {
  private constructor(private readonly session: ort.InferenceSession, readonly file: string) {}

  static async load(modelsDir: string, fileName: string, config: SessionConfig): Promise<OnnxModel> {
    const file = path.resolve(modelsDir, fileName);
    if (!fs.existsSync(file)) throw new Error(`model file ${file} is missing: run \`npm run models\``);
    const session = await ort.InferenceSession.create(file, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      intraOpNumThreads: config.threads,
      interOpNumThreads: 1,
      // Spinning worker threads burn the other core while the main thread prepares the next input:
      // with 2 threads on 2 cores that made every model 2–3× slower here.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    return new OnnxModel(session, file);
  }

  get inputName(): string { return this.session.inputNames[0]; }
  get outputNames(): readonly string[] { return this.session.outputNames; }

  /** The declared input shape; symbolic dimensions come back as strings. */
  get inputShape(): readonly (number | string)[] {
    const meta = this.session.inputMetadata[0];
    return meta.isTensor ? meta.shape : [];
  }

  run(input: Float32Array, dims: readonly number[]): Promise<ort.InferenceSession.OnnxValueMapType> {
    return this.session.run({ [this.inputName]: new ort.Tensor('float32', input, dims) });
  }

  close(): Promise<void> { return this.session.release(); }
}

/** The float32 data of a named output; a missing output is a model mismatch, not a runtime condition. */
export function outputData(out: ort.InferenceSession.OnnxValueMapType, name: string): Float32Array {
  const t = out[name];
  if (!t || t.type !== 'float32') throw new Error(`model output ${name} is missing or not float32`);
  return t.data as Float32Array;
}

/**
 * An 8-bit 3-channel Mat as planar float32 (NCHW data for one image), channel order unchanged.
 * OpenCV splits the planes and the typed-array copy converts bytes to floats natively: about 4× faster
 * than a JavaScript loop over the pixels on a 640×480 frame.
 */
export function matToPlanar(mat: Mat, out = new Float32Array(mat.rows * mat.cols * 3), offset = 0): Float32Array {
  const plane = mat.rows * mat.cols;
  mat.splitChannels().forEach((channel, c) => {
    out.set(channel.getData(), offset + c * plane);
    channel.release();
  });
  return out;
}
