/**
 * A loaded ONNX model: one onnxruntime-node session on the CPU, created once and reused, on the calling
 * thread or in the inference pool (SessionConfig.pool; see inference/inference-pool.ts).
 * Threads are configurable; measured on a 2-core machine, one intra-op thread was the fastest for
 * these small models, and two threads were only competitive with thread spinning switched off.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { TensorBuilder, type PixelInput, type PixelLease } from './model-input.js';
import { rewritePRelu } from './onnx-rewrite.js';

export { ort };
export type Tensor = ort.Tensor;

export interface SessionConfig {
  /** Intra-op threads (>= 1). */
  threads: number;
  /** Run the model on these worker threads instead of the calling thread. */
  pool?: ModelPool;
  /**
   * Apply the load-time rewrites of onnx-rewrite.ts (the file on disk stays as it is). Only a model that has
   * something to rewrite asks for it: it means reading the whole file into memory.
   */
  rewrite?: boolean;
}

/** What a model run gives back: float tensors by output name (an ort.Tensor map fits this shape). */
export type ModelOutputs = Readonly<Record<string, { readonly type: string; readonly data: unknown }>>;

/** A loaded model, in this thread or in the inference pool: the vision modules do not care which. */
export interface OnnxModel {
  readonly file: string;
  readonly inputName: string;
  readonly outputNames: readonly string[];
  /** The declared input shape; symbolic dimensions come back as strings. */
  readonly inputShape: readonly (number | string)[];
  /** Pixels that become the float tensor where the model runs (dims [n, 3, H, W]). */
  run(input: PixelInput, dims: readonly number[]): Promise<ModelOutputs>;
  /** Memory to build pixel inputs in, where that saves a copy (the inference pool's shared memory). */
  lease?(byteLength: number): PixelLease;
  close(): Promise<void>;
}

/** Where models can run besides the calling thread (the inference pool). */
export interface ModelPool { load(file: string, config: Pick<SessionConfig, 'threads' | 'rewrite'>): Promise<OnnxModel> }

export async function loadModel(modelsDir: string, fileName: string, config: SessionConfig): Promise<OnnxModel> {
  const file = path.resolve(modelsDir, fileName);
  if (!fs.existsSync(file)) throw new Error(`model file ${file} is missing: run \`npm run models\``);
  return config.pool ? config.pool.load(file, config) : loadLocalModel(file, config);
}

/** A session on the calling thread (onnxruntime-node's run() is synchronous, despite its promise). */
export async function loadLocalModel(file: string, config: SessionConfig): Promise<OnnxModel> {
  const rewritten = config.rewrite ? rewrittenModel(file) : null;
  const session = await (rewritten ? ort.InferenceSession.create(rewritten, sessionOptions(config)) : ort.InferenceSession.create(file, sessionOptions(config)));
  return new LocalModel(session, file);
}

/** The model with the rewrites of onnx-rewrite.ts applied, or null when there is nothing to rewrite. */
export function rewrittenModel(file: string): Uint8Array | null {
  return rewritePRelu(fs.readFileSync(file));
}

/**
 * For the inference pool: model bytes in a private temporary file for a worker to load. Workers load by path
 * because bytes handed to a worker stay in its heap until it collects garbage, which an idle worker rarely does
 * (reading the models there added 15 MB to the engine's idle RSS, bench memory section). `remove` once the
 * worker has loaded it: nothing is left behind, even by a process killed later.
 */
export function temporaryModelFile(bytes: Uint8Array, name: string): { file: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attendance-model-'));
  const file = path.join(dir, path.basename(name));
  fs.writeFileSync(file, bytes, { mode: 0o600 });
  return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function sessionOptions(config: SessionConfig): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    // The arena reuses its blocks from run to run instead of asking malloc for every intermediate tensor.
    // Measured on the quiet machine (compiled engine, 2 workers, 1,000 students): POST /recognize 34 req/s at
    // one connection with it, 24.5 without (p95 58 vs 93 ms); RSS with a camera running 402 MB with it, 446
    // without. (An earlier measurement that favoured no arena was taken while the camera loop leaked frames.)
    enableCpuMemArena: true,
    enableMemPattern: false,
    intraOpNumThreads: config.threads,
    interOpNumThreads: 1,
    // Spinning worker threads burn the other core while the main thread prepares the next input:
    // with 2 threads on 2 cores that made every model 2–3× slower here.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}

class LocalModel implements OnnxModel {
  private readonly builder = new TensorBuilder();
  /** The previous run: the next one builds its tensor in the same memory only once that run has finished. */
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly session: ort.InferenceSession, readonly file: string) {}

  get inputName(): string { return this.session.inputNames[0]; }
  get outputNames(): readonly string[] { return this.session.outputNames; }

  get inputShape(): readonly (number | string)[] {
    const meta = this.session.inputMetadata[0];
    return meta.isTensor ? meta.shape : [];
  }

  /** onnxruntime-node starts a run on a later turn (setImmediate), so runs are chained, not just called. */
  run(input: PixelInput, dims: readonly number[]): Promise<ModelOutputs> {
    const result = this.last.then(() => this.session.run({ [this.inputName]: new ort.Tensor('float32', this.builder.tensor(input, dims), dims) }));
    this.last = result.catch(() => undefined);
    return result;
  }

  close(): Promise<void> { return this.session.release(); }
}

/** The float32 data of a named output; a missing output is a model mismatch, not a runtime condition. */
export function outputData(out: ModelOutputs, name: string): Float32Array {
  const t = out[name];
  if (!t || t.type !== 'float32') throw new Error(`model output ${name} is missing or not float32`);
  return t.data as Float32Array;
}
