/**
 * Model runs on every core: a few worker threads, each holding its own ONNX Runtime session of every
 * model, and one FIFO queue of runs handed to the least busy worker (at most RUNS_PER_WORKER each). The engine's thread keeps the
 * OpenCV work (decode, resize, warps: the binding is not context-aware, so it cannot load in a worker)
 * and hands each worker the pixels, in shared memory (shared-pixels.ts); the worker builds the tensor. Measured on 2 cores: onnxruntime-node runs a session synchronously on the calling thread, so
 * without this pool every model of every camera and request ran on the uWS thread, one after another
 * (README, "Engine speed").
 */
import { Worker } from 'node:worker_threads';
import type { PixelInput } from '../vision/model-input.js';
import { rewrittenModel, temporaryModelFile, type ModelOutputs, type ModelPool, type OnnxModel } from '../vision/onnx-session.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { SharedPixels } from './shared-pixels.js';

/** Compiled, the worker is a .js file beside this one; under tsx it is a .ts file and needs tsx's loader. */
const RUNNING_TS = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(`./onnx.worker${RUNNING_TS ? '.ts' : '.js'}`, import.meta.url);

interface Job { key: number; input: PixelInput; dims: number[]; resolve: (o: ModelOutputs) => void; reject: (e: Error) => void }
/** `pending` counts loads and runs in flight: a worker with none does not keep the process alive. */
interface Slot { worker: Worker; jobs: Map<number, Job>; id: number; pending: number }

/**
 * Runs handed to one worker at a time: the one it runs and the next, waiting in its message queue. With one,
 * a worker that finished sat idle until the engine's thread (busy with decoding, warps, HTTP) had read the
 * result and sent the next run: at 4 connections both workers were only 59 % busy with the CPU not saturated
 * (perf, 8 s of POST /recognize). A second run lets the worker go straight on.
 */
export const RUNS_PER_WORKER = 2;
interface ModelInfo { inputName: string; outputNames: string[]; inputShape: (number | string)[] }

export class InferencePool implements ModelPool {
  private readonly slots: Slot[] = [];
  private readonly pixels = new SharedPixels();
  private readonly queue: Job[] = [];
  private readonly models: Array<{ file: string; threads: number; rewrite: boolean }> = [];
  private readonly loading = new Map<string, { key: number; waiting: Map<number, { resolve: (i: ModelInfo) => void; reject: (e: Error) => void }> }>();
  private nextId = 1;
  private closed = false;

  private constructor(readonly size: number) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  /** `size` worker threads (at least 1). */
  static start(size: number): InferencePool {
    if (!(Number.isInteger(size) && size >= 1)) throw new Error('inference pool size must be an integer >= 1');
    return new InferencePool(size);
  }

  /** Runs waiting for a free worker (a measure of load: 0 means a run starts at once). */
  get queued(): number { return this.queue.length; }

  /** Loads the model in every worker; the returned model runs on whichever worker is free. */
  async load(file: string, { threads, rewrite }: { threads: number; rewrite?: boolean }): Promise<OnnxModel> {
    const key = this.models.length;
    this.models.push({ file, threads, rewrite: !!rewrite });
    const rewritten = rewrite ? rewrittenModel(file) : null; // once for all the workers
    const infos = await Promise.all(this.slots.map((slot) => this.loadIn(slot, key, rewritten)));
    const info = infos[0];
    return {
      file, inputName: info.inputName, outputNames: info.outputNames, inputShape: info.inputShape,
      run: (input, dims) => this.run(key, input, [...dims]),
      lease: (byteLength) => this.pixels.lease(byteLength),
      close: async () => undefined, // sessions end with the pool
    };
  }

  /** A leased input's memory is released once the run is over (whatever its outcome). */
  run(key: number, input: PixelInput, dims: number[]): Promise<ModelOutputs> {
    const { lease } = input;
    if (this.closed) {
      lease?.release();
      return Promise.reject(new Error('inference pool is closed'));
    }
    const result = new Promise<ModelOutputs>((resolve, reject) => {
      this.queue.push({ key, input, dims, resolve, reject });
      this.dispatch();
    });
    return lease ? result.finally(() => lease.release()) : result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const j of this.queue.splice(0)) j.reject(new Error('inference pool closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  /** A rewritten model goes to the worker as a temporary file, deleted once the worker has loaded it. */
  private loadIn(slot: Slot, key: number, rewritten?: Uint8Array | null): Promise<ModelInfo> {
    const { file, threads, rewrite } = this.models[key];
    // `load` rewrites once for all the workers; a replacement worker (onExit) has it rewritten again.
    const bytes = rewritten !== undefined ? rewritten : rewrite ? rewrittenModel(file) : null;
    const copy = bytes ? temporaryModelFile(bytes, file) : null;
    const loaded = new Promise<ModelInfo>((resolve, reject) => {
      const tag = `${slot.id}:${key}`;
      this.loading.set(tag, { key, waiting: new Map([[slot.id, { resolve, reject }]]) });
      this.hold(slot, +1);
      this.post(slot, { type: 'load', key, file: copy?.file ?? file, threads });
    });
    return copy ? loaded.finally(copy.remove) : loaded;
  }

  /** Hands queued runs out, each to the worker with the fewest runs, up to RUNS_PER_WORKER each. */
  private dispatch(): void {
    while (this.queue.length) {
      const slot = this.slots.reduce((best, s) => (s.jobs.size < best.jobs.size ? s : best));
      if (slot.jobs.size >= RUNS_PER_WORKER) return;
      const job = this.queue.shift()!;
      const id = this.nextId++;
      slot.jobs.set(id, job);
      this.hold(slot, +1);
      // The lease stays here (its release runs on this thread). Leased bytes are shared memory the worker reads
      // in place; any other bytes are copied by postMessage.
      const { bytes, width, height, norm } = job.input;
      this.post(slot, { type: 'run', id, key: job.key, input: { bytes, width, height, norm }, dims: job.dims });
    }
  }

  private hold(slot: Slot, delta: number): void {
    slot.pending += delta;
    if (slot.pending > 0) slot.worker.ref();
    else slot.worker.unref();
  }

  private post(slot: Slot, m: ToWorker, transfer: ArrayBuffer[] = []): void { slot.worker.postMessage(m, transfer); }

  private spawn(id = this.slots.length): Slot {
    // Under tsx, loader hooks do not reach worker threads (Node 20): the worker registers tsx itself first.
    const worker = RUNNING_TS
      ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`, { eval: true })
      : new Worker(WORKER_URL);
    const slot: Slot = { worker, jobs: new Map(), id, pending: 0 };
    worker.unref();
    worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
    worker.on('error', (err) => this.onExit(slot, err));
    worker.on('exit', (code) => this.onExit(slot, new Error(`inference worker exited (${code})`)));
    return slot;
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    if (m.type === 'loaded' || m.type === 'load-failed') {
      const tag = `${slot.id}:${m.key}`;
      const waiter = this.loading.get(tag)?.waiting.get(slot.id);
      this.loading.delete(tag);
      this.hold(slot, -1);
      if (m.type === 'loaded') waiter?.resolve(m);
      else waiter?.reject(new Error(`loading ${this.models[m.key]?.file} failed: ${m.message}`));
      return;
    }
    const job = slot.jobs.get(m.id);
    slot.jobs.delete(m.id);
    if (m.type === 'result') job?.resolve(Object.fromEntries(Object.entries(m.outputs).map(([k, data]) => [k, { type: 'float32', data }])));
    else job?.reject(new Error(`inference failed: ${m.message}`));
    this.hold(slot, -1);
    this.dispatch();
  }

  /** A worker that dies fails its runs and is replaced, models and all, so the pool keeps its size. */
  private onExit(slot: Slot, err: Error): void {
    if (this.closed || this.slots[slot.id] !== slot) return;
    for (const job of slot.jobs.values()) job.reject(err);
    slot.jobs.clear();
    for (const [tag, l] of this.loading) if (tag.startsWith(`${slot.id}:`)) { l.waiting.get(slot.id)?.reject(err); this.loading.delete(tag); }
    void slot.worker.terminate();
    const fresh = this.spawn(slot.id);
    this.slots[slot.id] = fresh;
    void Promise.all(this.models.map((_, key) => this.loadIn(fresh, key))).then(() => this.dispatch(), () => undefined);
  }
}
